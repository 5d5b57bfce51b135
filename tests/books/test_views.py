"""The books pages: the access matrix, filters in the URL, live sync state, constant queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Cast
from xeroadmin.books.models import Invoice, SyncJob
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def urls(cast: Cast, tenant: Tenant) -> dict[str, tuple[str, set[str]]]:
    ws = cast.workspace.pk
    return {
        "organisation-list": (reverse("books:organisation-list", args=[ws]), {"GET"}),
        "organisation-home": (reverse("books:organisation-home", args=[ws, tenant.pk]), {"GET"}),
        "organisation-sync": (
            reverse("books:organisation-sync", args=[ws, tenant.pk]),
            {"GET", "POST"},
        ),
        "invoice-list": (reverse("books:invoice-list", args=[ws, tenant.pk]), {"GET"}),
    }


@pytest.fixture
def plain_tenant(cast: Cast) -> Tenant:
    return Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-1", name="Acme Ltd", client=cast.client_a
    )


@pytest.mark.parametrize(
    "name", ["organisation-list", "organisation-home", "organisation-sync", "invoice-list"]
)
def test_it_applies_the_access_matrix(
    client, as_outsider, as_viewer, as_admin, cast: Cast, plain_tenant: Tenant, name: str
) -> None:
    url, methods = urls(cast, plain_tenant)[name]
    assert client.get(url).status_code == 302
    for method in methods:
        assert getattr(as_outsider, method.lower())(url).status_code == 404
    assert as_viewer.get(url).status_code == 200 if "GET" in methods else True
    assert as_admin.put(url).status_code == 405
    if "POST" in methods:
        assert as_viewer.post(url).status_code == 403


def test_it_hides_other_clients_organisations_from_limited_members(
    as_limited, cast: Cast, plain_tenant: Tenant
) -> None:
    other = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-2", name="Bayside", client=cast.client_b
    )
    ws = cast.workspace.pk
    assert (
        as_limited.get(reverse("books:invoice-list", args=[ws, plain_tenant.pk])).status_code == 200
    )
    assert as_limited.get(reverse("books:invoice-list", args=[ws, other.pk])).status_code == 404
    listing = as_limited.get(reverse("books:organisation-list", args=[ws]))
    assert b"Acme Ltd" in listing.content
    assert b"Bayside" not in listing.content


def test_it_summarises_the_organisation(as_finance, cast: Cast, books: Tenant) -> None:
    page = as_finance.get(reverse("books:organisation-home", args=[cast.workspace.pk, books.pk]))
    assert page.status_code == 200
    assert b"Up to date" in page.content
    assert b"Refresh now" in page.content
    open_sales = Invoice.objects.filter(tenant=books, type="ACCREC", status="AUTHORISED")
    assert f"{open_sales.count()} sales invoice".encode() in page.content


def test_it_shows_sync_progress_in_words(as_viewer, cast: Cast, plain_tenant: Tenant) -> None:
    SyncJob.objects.create(
        tenant=plain_tenant,
        kind=SyncJob.Kind.INITIAL,
        status=SyncJob.Status.RUNNING,
        resource="Invoices",
        progress={"Invoices": {"done": 3000, "total": 20000}},
        heartbeat_at=timezone.now(),
    )
    url = reverse("books:organisation-sync", args=[cast.workspace.pk, plain_tenant.pk])
    answer = as_viewer.get(url, headers={"HX-Request": "true"})
    assert b"Syncing invoices: 3,000 of 20,000" in answer.content
    assert b'hx-trigger="every 2s"' in answer.content  # keeps polling while it runs
    assert b"<html" not in answer.content
    assert b"Refresh now" not in answer.content  # viewers cannot ask for one


def test_it_refreshes_on_request(
    as_finance, cast: Cast, books: Tenant, django_capture_on_commit_callbacks
) -> None:
    url = reverse("books:organisation-sync", args=[cast.workspace.pk, books.pk])
    with django_capture_on_commit_callbacks() as queued:
        answer = as_finance.post(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert b"Sync queued" in answer.content
    assert len(queued) == 1
    assert SyncJob.objects.filter(tenant=books, status=SyncJob.Status.QUEUED).count() == 1


def list_url(cast: Cast, tenant: Tenant) -> str:
    return reverse("books:invoice-list", args=[cast.workspace.pk, tenant.pk])


def test_it_filters_invoices_by_what_the_url_says(as_finance, cast: Cast, books: Tenant) -> None:
    url = list_url(cast, books)
    everything = as_finance.get(url)
    total = Invoice.objects.filter(tenant=books).count()
    assert f"{total} invoices".encode() in everything.content
    paid = as_finance.get(url, {"status": "PAID"})
    count = Invoice.objects.filter(tenant=books, status="PAID").count()
    assert f"{count} invoice".encode() in paid.content
    bills = as_finance.get(url, {"type": "ACCPAY", "status": "AUTHORISED"})
    count = Invoice.objects.filter(tenant=books, type="ACCPAY", status="AUTHORISED").count()
    assert f"{count} invoice".encode() in bills.content
    one = Invoice.objects.filter(tenant=books).exclude(number="").first()
    assert one is not None
    found = as_finance.get(
        url, {"q": one.number}, headers={"HX-Request": "true", "HX-Target": "invoice-table"}
    )
    assert one.number.encode() in found.content
    assert b"<html" not in found.content
    overdue = as_finance.get(url, {"overdue": "on"})
    late = Invoice.objects.filter(
        tenant=books, status="AUTHORISED", due_date__lt=timezone.localdate()
    )
    assert f"{late.count()} invoice".encode() in overdue.content


def test_it_survives_bad_filters(as_finance, cast: Cast, books: Tenant) -> None:
    answer = as_finance.get(
        list_url(cast, books),
        {"date_from": "not-a-date", "sort": "; drop table", "page": "-4", "status": "NOPE"},
    )
    assert answer.status_code == 200
    assert b"Some filters were not understood" in answer.content


def test_it_runs_a_constant_number_of_queries(as_finance, cast: Cast, books: Tenant) -> None:
    url = list_url(cast, books)
    as_finance.get(url)  # warm the session and caches

    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_finance.get(url, params).status_code == 200
        return len(captured)

    few = queries({"status": "VOIDED"})
    many = queries({})
    assert few == many


def test_it_switches_organisation_keeping_the_page(as_finance, cast: Cast, books: Tenant) -> None:
    other = Tenant.objects.exclude(pk=books.pk).filter(workspace=cast.workspace).first()
    assert other is not None
    page = as_finance.get(list_url(cast, books), {"status": "PAID"})
    expected = reverse("books:invoice-list", args=[cast.workspace.pk, other.pk]) + "?status=PAID"
    assert expected.encode() in page.content


def expected_matches(tenant: Tenant, text: str) -> int:
    from django.db.models import Q

    term = text.lower()
    return (
        Invoice.objects.filter(tenant=tenant)
        .filter(
            Q(number__istartswith=term)
            | Q(reference__istartswith=term)
            | Q(contact__name__icontains=term)
        )
        .count()
    )


def test_it_searches_numbers_references_and_contact_names(
    as_finance, cast: Cast, books: Tenant
) -> None:
    url = list_url(cast, books)
    invoice = (
        Invoice.objects.filter(tenant=books).exclude(reference="").exclude(contact=None).first()
    )
    assert invoice is not None
    assert invoice.contact is not None
    for text in (invoice.contact.name.split()[-1], invoice.reference[:4].upper(), invoice.number):
        count = expected_matches(books, text)
        assert count >= 1
        answer = as_finance.get(url, {"q": text})
        assert f"{count} invoice{'s' if count != 1 else ''}".encode() in answer.content, text
    for odd in ("%", "_", "\\", "' or 1=1 --"):
        answer = as_finance.get(url, {"q": odd})
        assert answer.status_code == 200
        assert f"{expected_matches(books, odd)} invoice".encode() in answer.content
    nothing = as_finance.get(url, {"q": "zzzz-no-such-thing"})
    assert b"No invoices match" in nothing.content


def test_it_escapes_what_xero_sends(as_finance, cast: Cast, books: Tenant) -> None:
    Invoice.objects.filter(tenant=books).update(
        contact_name="<script>alert(1)</script>", reference='"><img src=x>'
    )
    page = as_finance.get(list_url(cast, books))
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content
    assert b'"><img src=x>' not in page.content


def test_every_books_page_says_how_fresh_it_is(as_viewer, cast: Cast, books: Tenant) -> None:
    ws = cast.workspace.pk
    books.refresh_from_db()
    assert books.last_synced_at is not None
    for name in (
        "books:invoice-list",
        "books:contact-list",
        "books:item-list",
        "books:account-list",
        "books:payment-list",
    ):
        page = as_viewer.get(reverse(name, args=[ws, books.pk]))
        assert b"Synced from Xero" in page.content, name


def test_detail_pages_run_a_constant_number_of_queries(
    as_finance, cast: Cast, books: Tenant
) -> None:
    from xeroadmin.books.models import InvoiceLine, Payment

    invoice = Invoice.objects.filter(tenant=books, status="AUTHORISED").order_by("pk").first()
    assert invoice is not None
    url = reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, invoice.pk])

    def queries() -> int:
        as_finance.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert as_finance.get(url).status_code == 200
        return len(captured)

    before = queries()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=100 + n, description=f"Extra {n}") for n in range(60)
    )
    Payment.objects.bulk_create(
        Payment(tenant=books, xero_id=f"extra-{n}", invoice=invoice, amount=Decimal(1))
        for n in range(20)
    )
    assert queries() == before


def test_the_summary_is_in_the_base_currency(cast: Cast, books: Tenant) -> None:
    from xeroadmin.books.selectors import organisation_summary

    before = organisation_summary(tenant=books)
    Invoice.objects.create(
        tenant=books,
        xero_id="fx-1",
        type="ACCREC",
        status="AUTHORISED",
        currency_code="USD",
        currency_rate=Decimal("0.5"),
        amount_due=Decimal("100.00"),
        due_date=timezone.localdate(),
    )
    after = organisation_summary(tenant=books)
    assert after["sales_due"] - before["sales_due"] == Decimal("200.00")
    assert after["sales_count"] == before["sales_count"] + 1
    books.refresh_from_db()
    assert books.base_currency  # from the Organisation step of the sync


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("payment-list", {"from": "0001-01-01T00:00:00+05:00"}),
        ("payment-list", {"to": "9999-12-31T23:59:59-05:00", "from": "2026-13-45"}),
        ("payment-list", {"from": "/Date(-99999999999999999)/", "page": "9" * 30}),
        ("invoice-list", {"contact": "1" * 24}),
        ("invoice-list", {"page": "9" * 24, "date_from": "0000-00-00"}),
        ("contact-list", {"page": "-1" + "9" * 30}),
    ],
)
def test_malformed_filters_are_named_never_a_crash(as_viewer, cast, books, page, query) -> None:
    url = reverse(f"books:{page}", args=[cast.workspace.pk, books.pk])
    answer = as_viewer.get(url, query)
    assert answer.status_code == 200
    if page == "payment-list" and "from" in query:
        assert b"were left out" in answer.content


def test_an_unreadable_seen_stamp_is_no_crash(as_finance, cast, books) -> None:
    from xeroadmin.books.models import Contact

    contact = Contact.objects.filter(tenant=books, status="ACTIVE").first()
    assert contact is not None
    url = reverse("books:contact-detail", args=[cast.workspace.pk, books.pk, contact.pk])
    for seen in ("9999-12-31T23:59:59-05:00", "/Date(99999999999999999999)/", "x" * 300):
        answer = as_finance.post(url, {"name": contact.name, "seen": seen})
        assert answer.status_code in (200, 302)
