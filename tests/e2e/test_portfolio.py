"""The portfolio, as an MSP admin uses it: sort by overdue, drill into a client's 31-60 day
bucket and land on exactly those invoices; a technician limited to one client sees only it."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.conftest import make_user
from tests.connections.helpers import practice as practice_workspace
from tests.e2e.test_books import settled, sign_in
from xeroadmin.books.models import Invoice
from xeroadmin.books.selectors import AGE_FILTERS
from xeroadmin.portfolio import checks
from xeroadmin.tenancy.models import Membership, Role

THIRTY_TO_SIXTY = AGE_FILTERS["31-60"]


@pytest.fixture
def practice(live_server, xero, settings):
    settings.SITE_URL = live_server.url
    workspace, tenants, clients = practice_workspace(make_user("owner@example.com"))
    technician = make_user("tech@example.com")
    member = Membership.objects.create(
        workspace=workspace, user=technician, role=Role.FINANCE, limited=True
    )
    member.clients.set([clients[1]])
    return live_server.url, workspace, tenants, clients


def test_sort_drill_into_a_bucket_and_a_technicians_view(practice, browser: Browser) -> None:
    base, workspace, tenants, clients = practice
    page = sign_in(browser, base, "owner@example.com")
    page.goto(f"{base}/w/{workspace.pk}/")
    table = page.locator(".portfolio-table")
    expect(table).to_be_visible()
    for client in clients[: len(tenants)]:
        heading = re.compile(rf"^{re.escape(client.name)} health \d+$")
        expect(table.get_by_role("rowheader", name=heading)).to_be_visible()
    # Sort by overdue: the organisations ranked, the most overdue first.
    page.get_by_role("link", name="Overdue", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=-overdue"))
    amounts = [
        float(re.sub(r"[^\d.]", "", text) or 0)
        for text in page.locator("td[data-label='Overdue']").all_inner_texts()
    ]
    assert amounts == sorted(amounts, reverse=True)
    # Drill into the 31-60 day bucket of the organisation with most in it.
    page.goto(f"{base}/w/{workspace.pk}/?sort=-age-31-60")
    first = page.locator("tbody tr").first
    name = first.locator("th[scope=row] a").inner_text()
    tenant = next(t for t in tenants if t.name == name)
    first.locator(f"td[data-label='{THIRTY_TO_SIXTY}'] a").click()
    settled(page)
    expect(page).to_have_url(re.compile(r"age=31-60"))
    today = timezone.localdate()
    expected = {
        i.number
        for i in Invoice.objects.filter(tenant=tenant, type="ACCREC", status="AUTHORISED")
        if i.due_date and 31 <= (today - i.due_date).days <= 60
    }
    assert expected, "the sandbox has invoices 31 to 60 days overdue"
    shown = {
        text.split()[0]
        for text in page.locator("#invoice-table td[data-label='Number']").all_inner_texts()
    }
    assert shown == expected
    expect(page.get_by_role("link", name=re.compile(THIRTY_TO_SIXTY))).to_be_visible()

    # Search an invoice number from the quick switcher and open it, in another client's
    # organisation.
    other = next(t for t in tenants if t.pk != tenant.pk)
    target = (
        Invoice.objects.filter(tenant=other, type="ACCREC")
        .exclude(number="")
        .order_by("pk")
        .first()
    )
    assert target is not None
    page.keyboard.press("Control+k")
    page.keyboard.type(target.number, delay=20)
    page.wait_for_timeout(300)
    settled(page)
    # The number is in every organisation; the results say which client and organisation.
    assert page.locator(f"#jump-options [data-label='{target.number}']").count() >= 2
    link = f"/o/{other.pk}/invoices/{target.pk}/"
    option = page.locator(f"#jump-options [role=option][data-value$='{link}']")
    expect(option).to_be_visible()
    option.click()
    page.wait_for_url(re.compile(rf"/o/{other.pk}/invoices/{target.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(other.name)

    # The checks have found things; one is dismissed from the queue, with a reason.
    for each in tenants:
        checks.run(each)
    page.goto(f"{base}/w/{workspace.pk}/attention/")
    first = page.locator("li.finding").first
    summary = first.locator("a").first.inner_text()
    first.get_by_text("Act").click()
    first.get_by_label("Why dismiss it").fill("Checked with the client")
    first.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("Dismissed.")).to_be_visible()
    expect(page.locator("li.finding", has_text=summary)).to_have_count(0)

    # A technician limited to one client sees only that client's organisation.
    tech = sign_in(browser, base, "tech@example.com")
    tech.goto(f"{base}/w/{workspace.pk}/")
    rows = tech.locator(".portfolio-table th[scope=row]")
    expect(rows).to_have_count(1)
    expect(tech.locator(".portfolio-table")).to_contain_text(clients[1].name)
    expect(tech.locator(".portfolio-table")).not_to_contain_text(clients[0].name)
