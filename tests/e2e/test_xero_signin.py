"""Sign up with Xero, then sign in with Xero, in the browser against the sandbox: one consent
makes the account and its workspace and connects the organisation chosen, landing on the
mapping table; a tampered id_token is refused with a page that says so."""

from __future__ import annotations

import requests
from playwright.sync_api import Browser, expect

from xeroadmin.accounts.models import User
from xeroadmin.connections.models import Tenant


def _as_xero_user(xero, email: str, **fault: str) -> None:
    requests.post(f"{xero.url}/_sandbox/identity", json={"email": email, **fault}, timeout=10)


def test_sign_up_then_sign_in_with_xero(live_server, browser: Browser, xero, settings) -> None:
    settings.SITE_URL = live_server.url  # Xero sends the browser back here
    xero.sandbox.state.apps[settings.XERO_CLIENT_ID].bulk_connections = False
    _as_xero_user(xero, "founder@kingsway.example.com")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_role("button", name="Sign up with Xero").click()
    expect(page.get_by_text("Signed in as founder@kingsway.example.com")).to_be_visible()
    page.get_by_label("Organisation").select_option(label="Kingsway Studio (UK)")
    page.get_by_role("button", name="Allow access").click()
    expect(page.get_by_text("Welcome. Kingsway Studio (UK) is connected")).to_be_visible()
    expect(page.get_by_role("heading", name="Org mapping")).to_be_visible()
    user = User.objects.get(email="founder@kingsway.example.com")
    tenant = Tenant.objects.get(workspace__memberships__user=user)
    assert tenant.name == "Kingsway Studio (UK)"
    expect(page.locator(f"#tenant-{tenant.pk}")).to_have_class("row-new")

    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Sign in with Xero").click()
    expect(page.get_by_text("Signs you in; no organisation is connected.")).to_be_visible()
    page.get_by_role("button", name="Allow access").click()
    expect(
        page.get_by_role("heading", name="Kingsway Studio (UK)", exact=False).first
    ).to_be_visible()

    page.context.clear_cookies()
    _as_xero_user(xero, "founder@kingsway.example.com", idTokenFault="signature")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Sign in with Xero").click()
    page.get_by_role("button", name="Allow access").click()
    expect(page.get_by_role("heading", name="Signing in with Xero did not work")).to_be_visible()
    expect(page.get_by_text("its signature does not match Xero's keys")).to_be_visible()
