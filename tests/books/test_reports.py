"""Report pages: the figures Xero (here the sandbox) computes, shown exactly; kept until the
books change; exported to CSV and to Excel with numbers as numbers; aged receivables and
payables from the mirror, equal to the sandbox's own per contact."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import escape, unescape

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import stats
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.money import money
from xeroadmin.sandbox import reports as sandbox_reports

pytestmark = pytest.mark.django_db


def url(cast: Cast, books: Tenant, name: str, *args: object) -> str:
    return reverse(f"books:{name}", args=[cast.workspace.pk, books.pk, *args])


def row_cells(html: str, label: str) -> list[str]:
    """The figures of the table row headed `label`, as the page shows them."""
    match = re.search(rf'<th scope="row">\s*{re.escape(label)}\s*</th>(.*?)</tr>', html, re.S)
    assert match, f"no row {label!r}"
    return [
        unescape(c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', match.group(1), re.S)
    ]


def test_profit_and_loss_for_twelve_months_shows_the_sandboxs_figures(
    as_viewer, xero, cast: Cast, books: Tenant
) -> None:
    page = as_viewer.get(url(cast, books, "report", "profit-and-loss"))
    assert page.status_code == 200
    html = page.content.decode()
    org = xero.sandbox.state.orgs[books.tenant_id]
    now = xero.sandbox.state.clock.now()
    today = timezone.localdate()
    start = today.replace(day=1)
    expected = sandbox_reports.profit_and_loss(
        org, start, sandbox_reports.month_end(start), 11, "MONTH", now
    )
    wanted = {}
    for section in expected["Rows"]:
        for row in section.get("Rows", []):
            label, *values = [c["Value"] for c in row["Cells"]]
            wanted[label] = [money(v, books.base_currency) for v in values]
    assert len(wanted["Net Profit"]) == 12
    for label in ("Net Profit", "Gross Profit", "Sales", "Total Operating Expenses"):
        if label in wanted:
            assert row_cells(html, label) == wanted[label], label
    assert 'role="img"' in html  # the chart, described for screen readers
    assert "Net profit by period, oldest first" in html


def test_a_report_is_kept_until_the_books_change(
    as_viewer, as_finance, xero, cast: Cast, books: Tenant
) -> None:
    address = url(cast, books, "report", "trial-balance")
    assert as_viewer.get(address).status_code == 200
    calls = stats(xero.url)["calls"]
    again = as_viewer.get(address)
    assert b"Trial Balance" in again.content
    assert stats(xero.url)["calls"] == calls  # kept: no call
    # A change to the books (here approving a draft) makes the next look read again.
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    as_finance.post(
        url(cast, books, "invoice-action", draft.pk),
        {"action": "approve", "seen": draft.updated_utc.isoformat() if draft.updated_utc else ""},
    )
    calls = stats(xero.url)["calls"]
    as_viewer.get(address)
    assert stats(xero.url)["calls"] == calls + 1


def test_reports_export_to_csv_and_excel_with_numbers_as_numbers(
    as_viewer, cast: Cast, books: Tenant
) -> None:
    from openpyxl import load_workbook

    address = url(cast, books, "report", "balance-sheet")
    page = as_viewer.get(address).content.decode()
    net = row_cells(page, "Net Assets")[0]
    as_csv = as_viewer.get(address, {"format": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv")
    assert 'filename="balance-sheet.csv"' in as_csv["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0] == ["Balance Sheet"]
    csv_net = next(r for r in rows if r and r[0] == "Net Assets")[1]
    assert money(csv_net, books.base_currency) == net
    as_xlsx = as_viewer.get(address, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    found = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Net Assets")
    assert isinstance(found[1], (int, float))
    assert Decimal(str(found[1])).quantize(Decimal("0.01")) == Decimal(csv_net)


def test_every_report_page_opens(as_viewer, cast: Cast, books: Tenant) -> None:
    index = as_viewer.get(url(cast, books, "report-index"))
    for name in ("Profit and loss", "Balance sheet", "Trial balance", "Bank summary"):
        assert name.encode() in index.content
    for slug in ("balance-sheet", "trial-balance", "bank-summary"):
        assert as_viewer.get(url(cast, books, "report", slug)).status_code == 200
    compare = as_viewer.get(
        url(cast, books, "report", "profit-and-loss"),
        {"view": "compare", "date_from": "2026-10-01", "date_to": "2026-10-31", "against": "YEAR"},
    )
    assert compare.status_code == 200
    assert b"31 Oct 2025" in compare.content  # the same month a year before
    bad = as_viewer.get(url(cast, books, "report", "profit-and-loss"), {"months": "40"})
    assert bad.status_code == 200
    assert b"the defaults were used" in bad.content
    assert as_viewer.get(url(cast, books, "report", "no-such-report")).status_code == 404
    assert as_viewer.get(url(cast, books, "report-aged", "aged-nothing")).status_code == 404


def test_a_report_xero_cannot_give_says_why(as_viewer, xero, cast: Cast, books: Tenant) -> None:
    requests.post(
        f"{xero.url}/_sandbox/faults",
        json={"path": "/api.xro/2.0/Reports", "status": 503, "count": 10},
        timeout=5,
    )
    page = as_viewer.get(url(cast, books, "report", "bank-summary"))
    assert page.status_code == 502
    assert b"The report could not be read" in page.content


def test_aged_receivables_per_contact_are_the_sandboxs(
    as_viewer, xero, cast: Cast, books: Tenant
) -> None:
    page = as_viewer.get(url(cast, books, "report-aged", "aged-receivables"))
    assert page.status_code == 200
    html = page.content.decode()
    org = xero.sandbox.state.orgs[books.tenant_id]
    now = xero.sandbox.state.clock.now()
    today = timezone.localdate()
    checked = 0
    for contact in Contact.objects.filter(tenant=books):
        report = sandbox_reports.aged_by_contact(
            org, "ACCREC", contact.xero_id, today, None, None, now
        )
        closing = report["Rows"][-1]["Rows"][0]["Cells"][-1]["Value"]
        if Decimal(closing) == 0:
            assert f">{escape(contact.name)}<" not in html
            continue
        checked += 1
        shown = re.escape(escape(contact.name))
        match = re.search(rf">{shown}</a>\s*</th>(.*?)</tr>", html, re.S)
        assert match, contact.name
        total = re.findall(r"<strong>(.*?)</strong>", match.group(1))[-1]
        assert unescape(total) == money(closing, books.base_currency), contact.name
    assert checked >= 3
    exported = as_viewer.get(url(cast, books, "report-aged", "aged-receivables"), {"format": "csv"})
    assert b"Unallocated credit" in exported.content
