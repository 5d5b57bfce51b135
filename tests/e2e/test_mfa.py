"""Two-factor authentication: enable TOTP, sign out, sign back in with a code."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORD, make_user
from tests.totp import totp_at, totp_now


def test_enable_totp_then_sign_in_with_a_code(live_server, browser: Browser) -> None:
    base = live_server.url
    make_user("ada@example.com")
    page = browser.new_context().new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome to xeroadmin")).to_be_visible()

    page.goto(base + "/accounts/2fa/totp/activate/")
    # Enabling two-factor asks for the password again first.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("#id_code", totp_now(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Recovery Codes").first).to_be_visible()

    page.locator("summary", has_text="ada@example.com").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(base + "/accounts/login/")

    page.fill("#id_login", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.fill("#id_code", "123456" if totp_now(secret) != "123456" else "654321")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    # A code is accepted once: wait for the next time step rather than reuse the first one.
    step = int(time.time() // 30)
    while int(time.time() // 30) == step:
        time.sleep(0.5)
    page.fill("#id_code", totp_at(secret, time.time()))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome to xeroadmin")).to_be_visible()
