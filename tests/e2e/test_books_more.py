"""In a browser: finance allocates a credit note to two invoices, accepts a quote and invoices
it, and opens profit and loss for 12 months and exports it to Excel."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_books import settled, setup, sign_in  # noqa: F401 - the fixture by name
from xeroadmin.books.models import Document, Invoice

pytestmark = pytest.mark.django_db(transaction=True)


def test_allocate_a_credit_note_to_two_invoices(setup, browser: Browser, xero) -> None:  # noqa: F811
    base, workspace, tenant = setup
    # A credit note made in Xero for a customer who owes on two invoices, then synced.
    org = xero.sandbox.state.orgs[tenant.tenant_id]
    owing: dict[str, list[str]] = {}
    for invoice in org.invoices.values():
        if (
            invoice["Type"] == "ACCREC"
            and invoice["Status"] == "AUTHORISED"
            and invoice["AmountDue"] > 0
        ):
            owing.setdefault(invoice["Contact"]["ContactID"], []).append(invoice["InvoiceID"])
    customer = next(c for c, found in owing.items() if len(found) >= 2)
    from tests.sandbox.helpers import BOOKS_SCOPES, client_for
    from xeroadmin.books import sync

    made = client_for(xero.url, scope=BOOKS_SCOPES).put(
        "CreditNotes",
        {
            "Type": "ACCRECCREDIT",
            "Contact": {"ContactID": customer},
            "Status": "AUTHORISED",
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Goodwill", "UnitAmount": "30.00", "AccountCode": "200"}],
        },
    )
    note_id = made.json()["CreditNotes"][0]["CreditNoteID"]
    sync.sync_job_run(job_id=sync.sync_request(tenant=tenant, kind="full").pk)
    note = Document.objects.get(tenant=tenant, xero_id=note_id)
    first, second = Invoice.objects.filter(tenant=tenant, xero_id__in=owing[customer][:2])

    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/")
    page.get_by_role("link", name="Credit notes", exact=True).click()
    page.get_by_role("cell", name=note.number).locator("xpath=..").get_by_role("link").click()
    expect(
        page.get_by_role("heading", name=re.compile(rf"Sales credit note {note.number}"))
    ).to_be_visible()
    page.get_by_role("link", name="Allocate to invoices").click()
    page.get_by_label(f"Amount to allocate against {first.number}").fill("10.00")
    page.get_by_label(f"Amount to allocate against {second.number}").fill("12.50")
    page.get_by_role("button", name="Allocate", exact=True).click()
    expect(page.get_by_text("Allocated. 7.50 is left to allocate.")).to_be_visible()
    allocations = page.locator("#allocations li")
    expect(allocations).to_have_count(2)
    expect(allocations.filter(has_text=first.number)).to_contain_text("10.00")
    first.refresh_from_db()
    assert org.invoices[first.xero_id]["AmountDue"] == first.amount_due
    assert first.amount_credited >= Decimal("10.00")


def test_accept_a_quote_and_invoice_it(setup, browser: Browser, xero) -> None:  # noqa: F811
    base, workspace, tenant = setup
    quote = (
        Document.objects.filter(tenant=tenant, kind="quote", status="SENT")
        .order_by("number")
        .first()
    )
    assert quote is not None
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/quotes/")
    page.get_by_role("link", name="Sent", exact=False).first.click()
    settled(page)
    page.get_by_role("cell", name=quote.number).locator("xpath=..").get_by_role("link").click()
    page.get_by_role("button", name="Mark accepted").click()
    expect(page.get_by_text(f"Quote {quote.number} is now accepted.")).to_be_visible()
    page.get_by_role("button", name="Invoice this quote").click()
    expect(page.get_by_text("here is the draft")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Sales invoice"))).to_contain_text("Draft")
    invoice = Invoice.objects.get(tenant=tenant, reference=quote.number)
    assert invoice.total == quote.total
    assert xero.sandbox.state.orgs[tenant.tenant_id].quotes[quote.xero_id]["Status"] == "INVOICED"


def test_profit_and_loss_for_twelve_months_to_excel(setup, browser: Browser) -> None:  # noqa: F811
    from openpyxl import load_workbook

    base, workspace, tenant = setup
    page = sign_in(browser, base, "viewer@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Profit and loss").click()
    expect(page.locator(".report-table thead th")).to_have_count(13)
    expect(page.get_by_role("img", name=re.compile("Net profit by period"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    net = next(r for r in rows if r[0] == "Net Profit")
    assert len(net) == 13
    assert all(isinstance(v, (int, float)) for v in net[1:])


def test_record_spend_money_with_tracking(setup, browser: Browser, xero) -> None:  # noqa: F811
    from tests.books.test_sync import run
    from xeroadmin.books.models import Contact
    from xeroadmin.connections.clients import tenant_client

    base, workspace, tenant = setup
    client = tenant_client(tenant)
    region = client.put("TrackingCategories", {"Name": "Region"})["TrackingCategories"][0]
    client.put(f"TrackingCategories/{region['TrackingCategoryID']}/Options", {"Name": "North"})
    run(tenant, "full")
    supplier = (
        Contact.objects.filter(tenant=tenant, status="ACTIVE", is_supplier=True)
        .order_by("name")
        .first()
    )
    assert supplier is not None
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/")
    page.get_by_role("link", name="Bank", exact=True).click()
    page.get_by_role("link", name="Spend or receive money").click()
    picker = page.get_by_role("combobox", name="Contact")
    picker.click()
    picker.press_sequentially(supplier.name[:6].lower(), delay=30)
    page.wait_for_timeout(300)
    settled(page)
    page.locator("#contact-options [role=option]").filter(has_text=supplier.name).first.click()
    page.get_by_label("Reference").fill("Couriers")
    page.get_by_label("Description").fill("Courier to Napier")
    page.get_by_label("Unit price").fill("64.00")
    page.get_by_label("Region").select_option(label="North")
    settled(page)
    page.get_by_role("button", name="Enter in Xero").click()
    expect(page.get_by_text("Entered in Xero.")).to_be_visible()
    expect(page.get_by_text("Region: North")).to_be_visible()
    txn = Document.objects.get(tenant=tenant, kind="bank_transaction", reference="Couriers")
    assert txn.subtotal == Decimal("64.00")
    source = xero.sandbox.state.orgs[tenant.tenant_id].bank_transactions[txn.xero_id]
    assert source["LineItems"][0]["Tracking"][0]["Option"] == "North"


def test_post_a_manual_journal(setup, browser: Browser, xero) -> None:  # noqa: F811
    base, workspace, tenant = setup
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/manual-journals/")
    page.get_by_role("link", name="New journal").click()
    page.get_by_label("Narration").fill("Depreciation, November")
    rows = page.locator(".journal-row")
    rows.nth(0).get_by_label("Account").select_option(value="469")
    rows.nth(0).get_by_label("Debit").fill("250.00")
    rows.nth(1).get_by_label("Account").select_option(value="880")
    rows.nth(1).get_by_label("Credit").fill("250.00")
    page.get_by_role("button", name="Post in Xero").click()
    expect(page.get_by_text("Posted in Xero.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Manual journal"))).to_contain_text("Posted")
    journal = Document.objects.get(
        tenant=tenant, kind="manual_journal", reference="Depreciation, November"
    )
    assert (
        xero.sandbox.state.orgs[tenant.tenant_id].manual_journals[journal.xero_id]["Status"]
        == "POSTED"
    )
