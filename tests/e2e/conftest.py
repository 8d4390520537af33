"""Browser tests: the app on a real port in a thread, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture()
def live_server(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def pass_second_factor(page, email: str) -> None:
    """After clicking "Đăng nhập": when the site asks for the authenticator's code (DOST staff), type the
    code the person's phone shows (or enrol, reading the key shown for manual entry)."""
    from tests.conftest import second_factor_code, totp_code

    page.wait_for_url(lambda url: "/account/login" not in url)
    if "/account/2fa/setup" in page.url:
        page.locator("input[name=code]").fill(totp_code(page.locator("#totp-secret").inner_text().strip()))
        page.locator("main form button[type=submit]").click()
        page.locator("#recovery-codes").wait_for()
        page.locator("main a.btn").click()
    elif "/account/2fa/" in page.url:
        page.locator("input[name=code]").fill(second_factor_code(email))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/account/2fa/" not in url)


def open_menu(page, name="Mở menu"):
    """Open the collapsed phone menu and wait until Bootstrap's collapse transition has ended.

    Clicking an item while the menu is still "collapsing" can land on a moving target and be lost.
    """
    page.get_by_role("button", name=name).click()
    page.locator("#nav.collapse.show").wait_for()


from tests.listings.conftest import business, institute, moderator  # noqa: E402,F401  (shared fixtures)
