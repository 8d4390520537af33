"""In Chromium: an institute registers a patent, DOST approves it, a visitor finds it without diacritics;
an import with one bad row imports nothing, the corrected file imports."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.listings.models import Listing
from tests.e2e.test_exchange_flow import sign_in

pytestmark = pytest.mark.e2e

HEADER = "type,title_vi,application_number,filing_date,legal_status,st_fields,province\n"
GOOD = "invention,Chế phẩm vi sinh ủ vỏ nhãn thành phân bón,1-2023-01234,12/03/2023,filed,401,33\n"
BAD = "trademark,Nhãn hiệu thử nghiệm,1-2023-05678,12/03/2023,filed,401,33\n"


def test_register_approve_find_and_import(live_server, browser, db, institute, moderator, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, "vien@example.vn")
    page.goto(live_server + "/ip-assets/new")
    page.get_by_label("Loại tài sản trí tuệ").select_option("invention")
    page.get_by_label("Tiêu đề (tiếng Việt)").fill("Phương pháp bảo quản nhãn tươi bằng màng chitosan")
    page.get_by_label("Số đơn").fill("1-2021-04512")
    page.get_by_label("Ngày nộp đơn").fill("2021-07-12")
    page.get_by_label("Tình trạng pháp lý tại cơ quan SHTT").select_option("granted")
    page.get_by_label("Nội dung chào").select_option(["non_exclusive_licence"])
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/l/TS-33-*")
    reference = page.url.rsplit("/", 1)[1]
    page.get_by_text("12/07/2041").wait_for()  # computed term: filing + 20 years
    page.get_by_role("button", name="Gửi duyệt").click()
    page.get_by_text("Đã gửi Sở KH&CN duyệt.").wait_for()

    # import: one bad row → nothing imported; corrected → imported
    bad_file = tmp_path / "tai-san.csv"
    bad_file.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    page.goto(live_server + "/ip-assets/import")
    page.set_input_files("input[type=file]", str(bad_file))
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.get_by_text("Chưa nhập dòng nào").wait_for()
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1 and errors.first.locator("td").first.inner_text().strip() == "3"  # Excel row 3
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 1  # only the registered patent
    good_file = tmp_path / "tai-san-sua.csv"
    good_file.write_text(HEADER + GOOD, encoding="utf-8")
    page.set_input_files("input[type=file]", str(good_file))
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.get_by_text("Đã nhập xong").wait_for()
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, "kiemduyet@example.vn")
    page.goto(live_server + f"/moderation/{reference}")
    page.get_by_text("1-2021-04512").first.wait_for()  # the number and the computed expiry are shown
    page.get_by_role("button", name="Lưu quyết định").click()
    page.get_by_text(f"Đã lưu quyết định về {reference}").wait_for()
    context.close()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/ip-assets?q=bao+quan+nhan+tuoi")
    page.locator(".listing-card mark").first.wait_for()
    assert reference in page.content()
    context.close()
