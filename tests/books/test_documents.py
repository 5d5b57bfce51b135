"""Notes, attachments, the PDF and the online link; the payments list; the raw request console."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Invoice, Payment
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def invoice_of(books: Tenant, **filters: str) -> Invoice:
    invoice = Invoice.objects.filter(tenant=books, **filters).first()
    assert invoice is not None
    return invoice


def test_it_adds_a_note_to_xeros_history(as_finance, xero, cast: Cast, books: Tenant) -> None:
    invoice = invoice_of(books, status="AUTHORISED")
    url = reverse("books:record-note", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk])
    done = as_finance.post(url, {"note": "Called the customer, paying Friday."}, follow=True)
    assert b"Note added in Xero." in done.content
    history = xero.sandbox.state.orgs[books.tenant_id].history[invoice.xero_id]
    assert any("paying Friday" in str(entry) for entry in history)
    empty = as_finance.post(url, {"note": "  "}, follow=True)
    assert b"This field is required." in empty.content
    history_page = as_finance.get(
        reverse("books:record-history", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk])
    )
    assert b"paying Friday" in history_page.content


def test_it_attaches_lists_and_downloads_files(as_finance, xero, cast: Cast, books: Tenant) -> None:
    invoice = invoice_of(books, type="ACCREC")
    url = reverse(
        "books:record-attachments", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk]
    )
    upload = SimpleUploadedFile("receipt <1>.txt", b"paid in cash", content_type="text/plain")
    done = as_finance.post(url, {"file": upload}, follow=True)
    assert b"attached in Xero" in done.content
    listing = as_finance.get(url, headers={"HX-Request": "true"})
    assert b"receipt _1_.txt" in listing.content
    file_url = reverse(
        "books:record-attachment", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk]
    )
    download = as_finance.get(file_url, {"name": "receipt _1_.txt"})
    assert download.status_code == 200
    assert download.content == b"paid in cash"
    assert "attachment;" in download["Content-Disposition"]
    empty = as_finance.post(url, {"file": SimpleUploadedFile("empty.txt", b"")}, follow=True)
    assert b"empty" in empty.content.lower()


def test_it_serves_the_pdf_and_the_online_link(as_viewer, cast: Cast, books: Tenant) -> None:
    invoice = invoice_of(books, type="ACCREC", status="AUTHORISED")
    pdf = as_viewer.get(
        reverse("books:invoice-pdf", args=[cast.workspace.pk, books.pk, invoice.pk])
    )
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    online = as_viewer.get(
        reverse("books:invoice-online", args=[cast.workspace.pk, books.pk, invoice.pk])
    )
    assert online.status_code == 302
    assert online["Location"].startswith("http")
    missing = as_viewer.get(f"/w/{cast.workspace.pk}/o/{books.pk}/invoices/{invoice.pk}/nope/")
    assert missing.status_code == 404


def test_it_lists_payments_with_filters(as_viewer, cast: Cast, books: Tenant) -> None:
    url = reverse("books:payment-list", args=[cast.workspace.pk, books.pk])
    total = Payment.objects.filter(tenant=books).count()
    page = as_viewer.get(url)
    assert f"{total} payment".encode() in page.content
    applied = Payment.objects.filter(tenant=books, status="AUTHORISED").count()
    filtered = as_viewer.get(
        url, {"status": "AUTHORISED"}, headers={"HX-Request": "true", "HX-Target": "payment-table"}
    )
    assert f"{applied} payment".encode() in filtered.content
    assert b"<html" not in filtered.content
    assert as_viewer.get(url, {"from": "junk", "to": "2026-99-99"}).status_code == 200


def test_the_console_is_for_admins_and_records_every_call(
    as_admin, as_finance, cast: Cast, books: Tenant
) -> None:
    url = reverse("books:raw-console", args=[cast.workspace.pk, books.pk])
    assert as_finance.get(url).status_code == 403
    answer = as_admin.post(
        url, {"method": "GET", "path": "Invoices", "query": 'where=Status=="DRAFT"&page=1'}
    )
    assert answer.status_code == 200
    assert b"HTTP 200" in answer.content
    assert b"&quot;Invoices&quot;" in answer.content
    missing = as_admin.post(
        url, {"method": "GET", "path": "Invoices/00000000-0000-0000-0000-000000000000"}
    )
    assert b"HTTP 404" in missing.content
    outside = as_admin.post(url, {"method": "GET", "path": "https://example.com/steal"})
    assert b"Give a path under the API base" in outside.content
    bad_json = as_admin.post(url, {"method": "PUT", "path": "Contacts", "body": "{nope"})
    assert b"The body is not valid JSON" in bad_json.content
    nested = as_admin.post(
        url, {"method": "PUT", "path": "Contacts", "body": "[" * 100_000 + "]" * 100_000}
    )
    assert nested.status_code == 422  # refused before sending, and said so
    assert b"nested too deeply" in nested.content
    exact = as_admin.post(
        url,
        {"method": "POST", "path": "Contacts", "body": '{"Name": "Exact Ltd", "X": 0.1}'},
    )
    assert exact.status_code == 200
    assert ActivityEvent.objects.filter(tenant=books, category="raw").count() == 3


@pytest.mark.parametrize("kind", ["contacts", "items"])
def test_contacts_and_items_have_history_and_notes(
    as_finance, xero, cast: Cast, books: Tenant, kind: str
) -> None:
    from xeroadmin.books.models import Contact, Item

    record = (Contact if kind == "contacts" else Item).objects.filter(tenant=books).first()
    assert record is not None
    note = reverse("books:record-note", args=[cast.workspace.pk, books.pk, kind, record.pk])
    done = as_finance.post(note, {"note": f"A note on {kind}"}, follow=True)
    assert b"Note added in Xero." in done.content
    history = reverse("books:record-history", args=[cast.workspace.pk, books.pk, kind, record.pk])
    box = as_finance.get(history, headers={"HX-Request": "true"})
    assert f"A note on {kind}".encode() in box.content
    assert b"<html" not in box.content
    unknown = reverse(
        "books:record-history", args=[cast.workspace.pk, books.pk, "accounts", record.pk]
    )
    assert as_finance.get(unknown).status_code == 404


def test_contacts_take_attachments_and_items_do_not(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    from xeroadmin.books.models import Contact, Item

    contact = Contact.objects.filter(tenant=books).first()
    item = Item.objects.filter(tenant=books).first()
    assert contact is not None
    assert item is not None
    url = reverse(
        "books:record-attachments", args=[cast.workspace.pk, books.pk, "contacts", contact.pk]
    )
    upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert b"attached in Xero" in as_finance.post(url, {"file": upload}, follow=True).content
    assert b"contract.pdf" in as_finance.get(url).content
    items = reverse(
        "books:record-attachments", args=[cast.workspace.pk, books.pk, "items", item.pk]
    )
    assert as_finance.get(items).status_code == 404


def test_a_payment_has_its_page(as_finance, as_viewer, cast: Cast, books: Tenant) -> None:
    payment = (
        Payment.objects.filter(tenant=books, status="AUTHORISED").select_related("invoice").first()
    )
    assert payment is not None
    url = reverse("books:payment-detail", args=[cast.workspace.pk, books.pk, payment.pk])
    page = as_finance.get(url)
    assert page.status_code == 200
    assert b"Reverse payment" in page.content
    assert payment.invoice is not None
    assert payment.invoice.number.encode() in page.content
    assert b"Reverse payment" not in as_viewer.get(url).content


def test_detail_pages_load_their_history_and_attachments_from_the_right_place(
    as_viewer, cast: Cast, books: Tenant
) -> None:
    from xeroadmin.books.models import Contact

    invoice = invoice_of(books)
    contact = Contact.objects.filter(tenant=books).first()
    assert contact is not None
    ws = cast.workspace.pk
    for kind, record, page in (
        ("invoices", invoice, reverse("books:invoice-detail", args=[ws, books.pk, invoice.pk])),
        ("contacts", contact, reverse("books:contact-detail", args=[ws, books.pk, contact.pk])),
    ):
        body = as_viewer.get(page).content.decode()
        for name in ("books:record-history", "books:record-attachments"):
            assert f'hx-get="{reverse(name, args=[ws, books.pk, kind, record.pk])}"' in body
        assert 'hx-get=""' not in body


def test_every_filter_carries_to_the_next_page_of_payments(
    as_viewer, cast: Cast, books: Tenant
) -> None:
    """Page 2 of a filtered list is page 2 of the same filter (the dates were once dropped)."""
    import uuid
    from datetime import date

    model = Payment.objects.filter(tenant=books).first()
    assert model is not None
    copies = []
    for n in range(60):
        model.pk = None
        model.xero_id = str(uuid.uuid4())
        model.date = date(2026, 3, 1 + n % 28)
        model.status = "AUTHORISED"
        copies.append(
            Payment(**{f.attname: getattr(model, f.attname) for f in Payment._meta.fields})
        )
    Payment.objects.bulk_create(copies)
    url = reverse("books:payment-list", args=[cast.workspace.pk, books.pk])
    query = {"status": "AUTHORISED", "from": "2026-03-01", "to": "2026-03-31"}
    first = as_viewer.get(url, query).content.decode()
    assert "1\u201350 of 60" in first
    assert "Next 10 →" in first
    link = "?status=AUTHORISED&amp;from=2026-03-01&amp;to=2026-03-31&amp;page=2"
    assert link in first
    second = as_viewer.get(url, query | {"page": "2"}).content.decode()
    assert "51\u201360 of 60" in second
    assert "← Previous 50" in second
    march = Payment.objects.filter(
        tenant=books, status="AUTHORISED", date__range=(date(2026, 3, 1), date(2026, 3, 31))
    ).count()
    assert f"{march} payment" in second
