"""In Chromium: an institute posts an offer, DOST approves it, a business finds it without diacritics and sees
it among its need's matches with reasons."""

from __future__ import annotations

import pytest

from marketplace.listings.services import create_listing, decide_listing, submit_listing
from tests.e2e.conftest import pass_second_factor
from tests.listings.conftest import NEED

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def sign_in(page, base, email):
    page.goto(base + "/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, email)  # DOST staff: the authenticator's code
    page.wait_for_url("**/account/")


def test_offer_moderation_search_and_matches(live_server, browser, db, institute, business, moderator, tmp_path):
    # the business already has a published need
    need = create_listing("need", by=business[0], organisation=business[1], data=NEED)
    submit_listing(need, by=business[0])
    decide_listing(need, by=moderator, decision="approve", notify=False)
    db.session.commit()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, "vien@example.vn")
    page.goto(live_server + "/offers/new")
    page.get_by_label("Loại chào bán").select_option("equipment")
    page.get_by_label("Tiêu đề (tiếng Việt)").fill("Máy sấy long nhãn bơm nhiệt 500 kg/mẻ")
    page.get_by_label("Tóm tắt một dòng").fill("Sấy long nhãn sạch, tiết kiệm 40 % điện năng")
    page.get_by_label("Mô tả (Markdown)").fill("Nhiệt độ sấy 50–55 °C, thời gian 16 giờ, độ ẩm long nhãn ≤ 18 %.")
    page.get_by_label("Lĩnh vực KH&CN (Thông tư 24/2025)").select_option(["401", "211"])
    page.get_by_label("Ngành kinh tế (VSIC 2025)").select_option(["C"])
    page.get_by_label("Mức độ sẵn sàng công nghệ (TRL, tự khai)").select_option("8")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/l/CB-33-*")
    reference = page.url.rsplit("/", 1)[1]
    page.get_by_role("button", name="Gửi duyệt").click()
    page.get_by_text("Đã gửi Sở KH&CN duyệt.").wait_for()
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, "kiemduyet@example.vn")
    page.goto(live_server + "/moderation/")
    page.get_by_role("link", name="Máy sấy long nhãn bơm nhiệt 500 kg/mẻ").click()
    page.get_by_label("Quyết định").select_option("approve")
    page.get_by_role("button", name="Lưu quyết định").click()
    page.get_by_text(f"Đã lưu quyết định về {reference}").wait_for()
    context.close()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, "dn@example.vn")
    page.goto(live_server + "/offers")
    page.get_by_placeholder("ví dụ: công nghệ sấy nhãn").fill("may say long nhan")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.locator(".listing-card mark").first.wait_for()
    assert reference in page.content()
    page.screenshot(path=str(tmp_path / "search-phone.png"), full_page=True)
    page.goto(live_server + f"/l/{need.reference}/matches")
    card = page.locator("article", has_text=reference)
    assert card.count() == 1
    text = card.inner_text()
    assert "Cùng lĩnh vực KH&CN" in text and "TRL 8 đáp ứng mức tối thiểu 6" in text
    context.close()
