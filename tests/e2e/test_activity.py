"""In a browser: someone edits an invoice in Xero (the sandbox's simulated activity), Xero
delivers the webhook, a real worker processes it, and the organisation's feed, left open,
shows the change without a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, expect

from tests.connections.helpers import control
from tests.e2e.test_books import setup, sign_in  # noqa: F401 - the fixture is used by name
from tests.worker import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_xeros_edit_appears_in_the_open_feed(
    setup,  # noqa: F811
    browser: Browser,
    xero,
    tmp_path: Path,
) -> None:
    base, workspace, tenant = setup
    requests.put(
        f"{xero.url}/_sandbox/webhooks", json={"url": base + "/webhooks/xero/"}, timeout=5
    ).raise_for_status()
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/activity/")
    expect(page.locator("#feed-entries")).to_be_attached()
    expect(page.locator("#feed-entries li").filter(has_text="was updated in Xero")).to_have_count(0)
    with celery_worker(mail_dir=tmp_path):
        done = control(xero.url, "simulate", {"tenantId": tenant.tenant_id, "action": "invoice"})
        invoice_id = done["done"][0]["invoiceId"]
        reference = xero.sandbox.state.orgs[tenant.tenant_id].invoices[invoice_id]["Reference"]
        entry = page.locator("#feed-entries li").filter(has_text=f"“{reference}”")
        expect(entry).to_be_visible(timeout=30_000)
    expect(entry).to_contain_text("was updated in Xero: reference")
    link = re.compile(rf"^/w/{workspace.pk}/o/{tenant.pk}/invoices/\d+/$")
    expect(entry.locator("a")).to_have_attribute("href", link)
    entry.locator("a").click()
    expect(page.get_by_text(reference)).to_be_visible()
