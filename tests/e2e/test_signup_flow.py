"""Sign-up → email verification → login → create organisation → switch language, in Chromium."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import open_menu

pytestmark = pytest.mark.e2e
PASSWORD = "một câu mật khẩu đủ dài"


def test_signup_to_organisation_and_language_switch(live_server, browser, mailbox, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status == 404 else None)

    page.goto(live_server + "/account/signup")
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Email").fill("binh@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Đăng ký").click()
    # the same answer whether or not the address had an account: "check your mailbox", then sign in
    page.wait_for_url("**/account/login")
    assert "Chúng tôi đã gửi thư tới binh@example.vn" in page.content()
    page.screenshot(path=str(tmp_path / "1-check-mail.png"), full_page=True)

    link = urlsplit(mailbox.last_link("binh@example.vn")).path
    page.goto(live_server + link)
    assert "đã được xác minh" in page.content()

    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill("binh@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/account/")

    # sign out and in again (the menu collapses on a phone)
    open_menu(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_text("Bạn đã đăng xuất.").wait_for()
    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill("binh@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/account/")

    page.goto(live_server + "/organisations/new")
    page.get_by_label("Tên pháp lý").fill("Hợp tác xã Nhãn lồng Phố Hiến")
    page.get_by_label("Loại hình tổ chức").select_option("cooperative")
    page.get_by_label("Mã số thuế").fill("0100109106")
    page.get_by_label("Tỉnh/thành phố").select_option("33")
    # htmx reloads the commune list for the chosen province
    # (a locator wait: wait_for_function needs eval, which the CSP forbids)
    page.locator("#commune_code option", has_text="Phường Phố Hiến").wait_for(state="attached")
    page.get_by_label("Xã/phường").select_option(label="Phường Phố Hiến")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/organisations/hop-tac-xa-nhan-long-pho-hien")
    content = page.content()
    assert "Chờ Sở KH&amp;CN xác minh" in content and "Phường Phố Hiến" in content
    page.screenshot(path=str(tmp_path / "2-organisation.png"), full_page=True)

    open_menu(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert "Waiting for DOST verification" in page.content()
    assert page.locator("html").get_attribute("lang") == "en"
    # the choice is remembered for the user
    page.goto(live_server + "/account/")
    assert "My account" in page.content()
    assert errors == [], errors
    context.close()
