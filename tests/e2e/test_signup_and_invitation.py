"""Sign up, verify, create a workspace, invite a finance member who accepts in another browser."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import mail_link
from tests.worker import celery_worker
from xeroadmin.tenancy.models import Workspace


def sign_up_and_verify(page: Page, base: str, email: str, mail_dir: Path) -> None:
    page.goto(base + "/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Verify your e-mail address")).to_be_visible()
    address = re.escape(email)
    link = mail_link(mail_dir, rf"(?s)To: {address}.*?(http://\S+/accounts/confirm-email/\S+)")
    confirm = re.search(r"http://\S+/accounts/confirm-email/\S+", link)
    assert confirm is not None
    page.goto(confirm.group(0))
    page.get_by_role("button", name="Confirm").click()


def test_sign_up_invite_and_accept(live_server, browser: Browser, mail_dir: Path, settings) -> None:
    base = live_server.url
    settings.SITE_URL = base
    owner = browser.new_context().new_page()
    sign_up_and_verify(owner, base, "owner@example.com", mail_dir)

    # A new user is guided straight to creating a workspace.
    expect(owner.get_by_role("heading", name="Welcome to xeroadmin")).to_be_visible()
    owner.fill("#id_name", "Harbour Accounting")
    owner.get_by_role("button", name="Create workspace").click()
    expect(owner.get_by_role("heading", name="Harbour Accounting")).to_be_visible()
    workspace = Workspace.objects.get(name="Harbour Accounting")

    with celery_worker(mail_dir=mail_dir):
        owner.get_by_role("link", name="Members").click()
        owner.fill("#id_email", "finance@example.com")
        owner.select_option("#id_role", "finance")
        owner.get_by_role("button", name="Send invitation").click()
        expect(owner.locator("#invitations")).to_contain_text("finance@example.com")
        invite = mail_link(mail_dir, r"http://\S+/invitations/\S+/")

    # The invitation's link leads to sign-up with the address filled in, and counts as its
    # confirmation: no second e-mail to wait for.
    member = browser.new_context().new_page()
    member.goto(invite)
    expect(member.get_by_role("heading", name="Join Harbour Accounting")).to_be_visible()
    member.get_by_role("link", name="Create an account").click()
    expect(member.locator("#id_email")).to_have_value("finance@example.com")
    member.fill("#id_password1", PASSWORD)
    member.fill("#id_password2", PASSWORD)
    member.get_by_role("button", name="Sign up", exact=True).click()
    expect(member.get_by_role("heading", name="Join Harbour Accounting")).to_be_visible()
    member.get_by_role("button", name="Accept and join").click()
    expect(member.get_by_role("heading", name="Harbour Accounting")).to_be_visible()
    expect(member.get_by_text("Your role: Finance")).to_be_visible()

    # Finance sees the workspace but not member management.
    nav = member.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()
    expect(nav.get_by_role("link", name="Members")).to_have_count(0)
    response = member.goto(f"{base}/w/{workspace.pk}/members/")
    assert response is not None
    assert response.status == 403
    expect(
        member.get_by_role("heading", name="You don't have permission to do that")
    ).to_be_visible()
