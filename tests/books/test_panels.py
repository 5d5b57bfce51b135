"""History and attachments kept in the mirror: a page view costs no call, a change refetches,
and only a record's own attachments can be downloaded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import Cast
from tests.connections.helpers import stats
from xeroadmin.books.models import Invoice
from xeroadmin.connections.models import Tenant
from xeroadmin.xero import endpoints
from xeroadmin.xero.errors import XeroError

pytestmark = pytest.mark.django_db


def panel_url(cast: Cast, books: Tenant, invoice: Invoice, name: str) -> str:
    return reverse(
        f"books:record-{name}", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk]
    )


def calls(xero) -> int:
    return stats(xero.url)["calls"]


def test_reading_a_record_twice_costs_one_call_per_panel(as_viewer, xero, cast, books) -> None:
    invoice = Invoice.objects.filter(tenant=books, type="ACCREC").earliest("pk")
    urls = [panel_url(cast, books, invoice, name) for name in ("history", "attachments")]
    before = calls(xero)
    for url in urls:
        assert as_viewer.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert calls(xero) - before == 2
    for _ in range(5):
        for url in urls:
            page = as_viewer.get(url, headers={"HX-Request": "true"})
            assert b"Refresh" in page.content
    assert calls(xero) - before == 2  # read from the mirror
    # The record changed (a sync or a webhook moved its UpdatedDateUTC): fetched again.
    assert invoice.updated_utc is not None
    Invoice.objects.filter(pk=invoice.pk).update(
        updated_utc=invoice.updated_utc + timedelta(seconds=5)
    )
    as_viewer.get(urls[0], headers={"HX-Request": "true"})
    assert calls(xero) - before == 3
    # Asked for: fetched again.
    as_viewer.get(urls[1], {"refresh": "1"}, headers={"HX-Request": "true"})
    assert calls(xero) - before == 4


def test_our_own_note_and_upload_show_at_once(as_finance, xero, cast, books) -> None:
    invoice = Invoice.objects.filter(tenant=books, type="ACCREC").earliest("pk")
    history, attachments = (panel_url(cast, books, invoice, n) for n in ("history", "attachments"))
    as_finance.get(history)
    as_finance.get(attachments)
    note = reverse("books:record-note", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk])
    as_finance.post(note, {"note": "Promised by Friday"})
    assert b"Promised by Friday" in as_finance.get(history).content
    upload = SimpleUploadedFile("remittance.txt", b"paid", content_type="text/plain")
    as_finance.post(attachments, {"file": upload})
    assert b"remittance.txt" in as_finance.get(attachments).content


def test_only_the_records_own_attachments_download(as_limited, xero, cast, books) -> None:
    invoice = Invoice.objects.filter(tenant=books, type="ACCREC").earliest("pk")
    file_url = reverse(
        "books:record-attachment", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk]
    )
    before = stats(xero.url)
    for name in ("../../../../../connections", "..", "../Invoices", "nothing.pdf"):
        answer = as_limited.get(file_url, {"name": name}, follow=True)
        assert answer.status_code == 200
        assert b"has no attachment called" in answer.content
        assert b"tenantId" not in answer.content
    # Only the attachment list was read (once, then kept); nothing else was asked of Xero.
    assert stats(xero.url)["calls"] - before["calls"] <= 2


def test_no_path_leaves_the_accounting_api(settings) -> None:
    settings.XERO_API_URL = "http://127.0.0.1:1"
    for path in ("../../connections", "Invoices/%2e%2e/%2E%2E/connections", "a/./b"):
        with pytest.raises(XeroError, match="leaves"):
            endpoints.api_url(path)
    assert endpoints.api_url("Invoices/x/Attachments/a%2Fb.pdf").endswith("a%2Fb.pdf")


@pytest.mark.django_db(transaction=True)
def test_a_write_waits_out_a_short_limit_and_says_so(as_finance, xero, cast, books) -> None:
    from tests.connections.helpers import control

    invoice = Invoice.objects.filter(tenant=books, type="ACCREC").earliest("pk")
    note = reverse("books:record-note", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk])
    control(xero.url, "faults", {"status": 429, "count": 1, "retryAfter": 2, "path": "/api.xro"})
    done = as_finance.post(note, {"note": "After the wait"}, follow=True)
    assert b"Note added in Xero." in done.content
    assert b"rate limit held this back for 2" in done.content
    history = xero.sandbox.state.orgs[books.tenant_id].history[invoice.xero_id]
    assert any("After the wait" in str(entry) for entry in history)
    # A wait longer than a person should sit through is refused with the reason.
    control(xero.url, "faults", {"status": 429, "count": 1, "retryAfter": 50, "path": "/api.xro"})
    refused = as_finance.post(note, {"note": "Too long"}, follow=True)
    assert b"wait" in refused.content
    assert not any(
        "Too long" in str(e)
        for e in xero.sandbox.state.orgs[books.tenant_id].history[invoice.xero_id]
    )


@pytest.mark.parametrize(
    "name", ["收据 2026.pdf", "fifty%25 off.txt", "naïve résumé.txt", "a%2Fb.txt"]
)
def test_any_file_name_attaches_and_downloads(as_finance, xero, cast, books, name) -> None:
    invoice = Invoice.objects.filter(tenant=books, type="ACCREC").earliest("pk")
    attachments = panel_url(cast, books, invoice, "attachments")
    upload = SimpleUploadedFile(name, b"contents of " + name.encode(), content_type="text/plain")
    as_finance.post(attachments, {"file": upload})
    org = xero.sandbox.state.orgs[books.tenant_id]
    assert [f["FileName"] for f in org.attachments[invoice.xero_id]] == [name]
    assert name.encode() in as_finance.get(attachments).content
    file_url = reverse(
        "books:record-attachment", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk]
    )
    download = as_finance.get(file_url, {"name": name})
    assert download.status_code == 200
    assert download.content == b"contents of " + name.encode()
    assert "attachment" in download["Content-Disposition"]
