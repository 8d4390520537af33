"""In Chromium, under the real CSP: a new DOST moderator signs in, is sent to set up two-step verification,
sees the QR code (an SVG image, no script), types the first code, keeps the recovery codes and reaches the
moderation queue; signing in again asks for the code."""

from __future__ import annotations

import pyotp
import pytest

from tests.conftest import second_factor_code
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def test_staff_enrol_with_the_qr_page_then_sign_in_with_a_code(live_server, browser, db, tmp_path):
    staff = UserFactory(moderator=True, second_factor=False, email="kiemduyet-moi@example.vn")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    errors: list = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(live_server + "/account/login?next=/moderation/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/account/2fa/setup**")
    qr = page.locator("#totp-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 100  # the SVG image was decoded
    page.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Mã xác minh").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bật xác minh hai bước").click()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="Tôi đã lưu các mã").click()
    page.wait_for_url("**/moderation/")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/account/2fa/")
    page.get_by_label("Mã xác minh").fill(second_factor_code(staff.email))
    page.get_by_role("button", name="Xác minh").click()
    page.wait_for_url("**/account/")
    context.close()
    assert errors == [], errors  # no CSP violation, no failed request
