"""On phones (360×740, Vietnamese): a member registers for a fair and finds the ticket under "my registrations";
an organiser at the gate types the code (answer in place, counts move), scans it again (already checked in),
and the form still answers with JavaScript off. A second test feeds the ticket's QR to Chromium's fake camera
and lets checkin.js + jsQR read it: one check-in while the ticket stays in view.

Assertions use URLs, ``.ticket-code`` and ``data-outcome`` rather than translated text (translations come last).
"""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from PIL import Image

from marketplace.events.tickets import qr_png
from tests.e2e.conftest import ARGS, CHROMIUM, pass_second_factor
from tests.events.conftest import event, make_event, organiser, register_person  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN", "is_mobile": True, "has_touch": True}


def sign_in(page, base, email):
    page.goto(base + "/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, email)  # DOST staff: the authenticator's code
    page.wait_for_url("**/account/")


def watch_errors(page) -> list:
    """Console errors (a CSP violation is one) and failed requests of the page."""
    errors: list = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def outcome(page, value):
    return page.locator(f'#checkin-result [data-outcome="{value}"]')


def test_register_ticket_and_check_in_on_a_phone(live_server, browser, db, event, organiser, make_user,  # noqa: F811
                                                 tmp_path):
    make_user(email="khach@example.vn", name="Trần Thị Bích")
    slug = event.slug

    # the member registers from the event page and finds the ticket
    context = browser.new_context(**PHONE)
    page = context.new_page()
    member_errors = watch_errors(page)
    sign_in(page, live_server, "khach@example.vn")
    page.goto(f"{live_server}/events/{slug}")
    page.locator(f'main a[href="/events/{slug}/register"]').first.click()
    page.wait_for_url(f"**/events/{slug}/register")
    form = page.locator("main form[method=post]").filter(has=page.locator("[name=participant_type]"))
    form.locator("[name=participant_type]").select_option("visitor")
    form.locator("[name=phone]").fill("0912 345 678")
    form.locator("[name=consent_processing]").check()
    form.locator("[name=consent_share_contact]").check()
    page.screenshot(path=str(tmp_path / "1-register.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda u: not u.endswith("/register"))
    page.goto(f"{live_server}/events/mine")
    code = page.locator(".ticket-code").first.inner_text().strip()
    assert len(code) >= 32  # 192 random bits, URL-safe
    qr = page.locator("img.ticket-qr").first
    qr.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", qr.element_handle())
    page.screenshot(path=str(tmp_path / "2-my-ticket.png"), full_page=True)
    assert not member_errors, member_errors
    context.close()

    # the organiser's phone at gate 1: type the code, answer in place, counts move
    context = browser.new_context(**PHONE)
    page = context.new_page()
    staff_errors = watch_errors(page)
    sign_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/events/{slug}/checkin")
    page.locator("#camera-start").wait_for(state="visible")  # checkin.js ran and found camera support
    page.locator("#checkin-gate").fill("Cổng 1")
    page.locator("#checkin-code").fill(code)
    page.locator("#checkin-form button[type=submit]").click()
    outcome(page, "checked_in").wait_for()
    assert page.url.endswith(f"/events/{slug}/checkin")  # htmx answered in place
    assert "Trần Thị Bích" in outcome(page, "checked_in").inner_text()
    assert page.locator("#checkin-code").input_value() == ""  # ready for the next ticket
    page.locator('#checkin-counts tr[data-type="visitor"] [data-count="checked_in"]',
                 has_text="1").wait_for()  # refreshed at once after the scan
    page.screenshot(path=str(tmp_path / "3-checked-in.png"), full_page=True)

    # the same ticket again: already checked in, by gate 1
    page.locator("#checkin-code").fill(code)
    page.locator("#checkin-code").press("Enter")
    outcome(page, "already").wait_for()
    assert outcome(page, "already").get_attribute("data-gate") == "Cổng 1"
    page.screenshot(path=str(tmp_path / "4-already.png"), full_page=True)

    # no camera on this test machine: a message, not an error, and the typed form stays usable
    page.locator("#camera-start").click()
    page.locator("#camera-message").wait_for(state="visible")
    page.wait_for_function("() => !document.getElementById('camera-start').hidden")
    assert page.locator("#camera-message").inner_text().strip()
    page.screenshot(path=str(tmp_path / "5-no-camera.png"), full_page=True)
    assert not staff_errors, staff_errors
    context.close()

    # a phone with JavaScript off (gate 2): the plain form answers with the whole page
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/events/{slug}/checkin")
    assert not page.locator("#camera-start").is_visible()  # no dead camera button without JS
    page.locator("#checkin-gate").fill("Cổng 2")
    page.locator("#checkin-code").fill(code)
    with page.expect_navigation():
        page.locator("#checkin-form button[type=submit]").click()
    assert outcome(page, "already").get_attribute("data-gate") == "Cổng 1"
    page.screenshot(path=str(tmp_path / "6-no-js.png"), full_page=True)
    context.close()


def write_y4m(path, token: str, width: int = 640, height: int = 480, frames: int = 10) -> None:
    """A short grey-scale YUV4MPEG2 clip of the ticket's QR code for Chromium's fake camera."""
    qr = Image.open(io.BytesIO(qr_png(token, box_size=8))).convert("L")
    side = min(height - 40, qr.width)
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr.resize((side, side), Image.NEAREST), ((width - side) // 2, (height - side) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)


@contextlib.contextmanager
def camera_browser(clip):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            *ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}"])
        try:
            yield browser
        finally:
            browser.close()


def test_camera_scan_reads_the_qr_and_checks_in(live_server, db, event, organiser, make_user,  # noqa: F811
                                                register_person, tmp_path):  # noqa: F811
    reg = register_person(event, make_user(email="khach@example.vn", name="Trần Thị Bích"))
    clip = tmp_path / "ticket.y4m"
    write_y4m(clip, reg.ticket_token)
    slug = event.slug

    with camera_browser(clip) as browser:
        context = browser.new_context(**PHONE)
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        errors = watch_errors(page)
        scans = []
        page.on("request", lambda r: scans.append(r.url) if r.method == "POST" and r.url.endswith("/checkin")
                else None)
        sign_in(page, live_server, organiser.email)
        page.goto(f"{live_server}/events/{slug}/checkin")
        page.locator("#checkin-gate").fill("Cổng 2")
        page.locator("#camera-start").click()
        page.locator("#camera-panel video").wait_for(state="visible")
        outcome(page, "checked_in").wait_for(timeout=15000)
        assert outcome(page, "checked_in").get_attribute("data-gate") == "Cổng 2"
        page.screenshot(path=str(tmp_path / "camera-checked-in.png"), full_page=True)
        # the ticket stays in front of the camera: not sent again (no amber "already" over the green answer)
        page.wait_for_timeout(3000)
        assert len(scans) == 1 and outcome(page, "checked_in").count() == 1
        page.locator("#camera-stop").click()
        page.wait_for_function("() => document.getElementById('camera-panel').hidden")
        assert not [e for e in errors if "Content Security Policy" in e], errors
        context.close()

    db.session.expire_all()
    assert reg.checked_in_gate == "Cổng 2"
