"""In a browser: an admin makes a workspace rule, a real worker finds that it already holds,
and its alert shows on the bell; the notification centre marks it read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_books import setup, sign_in  # noqa: F401 - the fixture by name
from tests.worker import celery_worker
from xeroadmin.alerts.models import Alert
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_rules_alert_in_the_bell(setup, browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    base, workspace, tenant = setup
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    page = sign_in(browser, base, "owner@example.com")
    page.goto(f"{base}/w/{workspace.pk}/alerts/")
    expect(page.locator("#bell")).to_have_attribute("aria-label", "Notifications")
    page.get_by_role("link", name="New workspace rule").click()
    page.select_option("#id_condition", "needs_reconnect")
    expect(page.locator("#id_in_app")).to_be_checked()
    with celery_worker(mail_dir=tmp_path):
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Saved. It is watched from now on.")).to_be_visible()
        for _ in range(60):
            if Alert.objects.exists():
                break
            page.wait_for_timeout(500)
    page.reload()
    bell = page.locator("#bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    entry = page.locator("#notifications li").filter(has_text=f"{tenant.name} needs reconnecting")
    expect(entry).to_be_visible()
    entry.get_by_role("button", name=re.compile("^Mark read")).click()
    expect(page.locator("#bell")).to_have_attribute("aria-label", "Notifications")
