"""Processing: each event routed by tenant id, fetched through the governed client, upserted
into the mirror and described from the mirror before and after; duplicates once, older events
never rolling data back, failures retried."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.test import Client as HttpClient
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import control, stats
from tests.webhooks.helpers import deliver, event, payload
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Contact, Document, Invoice
from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.webhooks import processing
from xeroadmin.webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def process_all() -> list[WebhookDelivery]:
    done = []
    for pk in WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True):
        result = processing.delivery_process(delivery_id=pk)
        if result is not None:
            done.append(result)
    return done


def source_invoice(xero, tenant: Tenant, invoice: Invoice) -> dict:
    return xero.sandbox.state.orgs[tenant.tenant_id].invoices[invoice.xero_id]


def edit_in_xero(xero, tenant: Tenant, invoice: Invoice, reference: str) -> dict:
    """Someone changes the invoice's reference in Xero, now."""
    source = source_invoice(xero, tenant, invoice)
    source["Reference"] = reference
    source["UpdatedDateUTC"] = timezone.now()
    return source


def authorised_sales_invoice(tenant: Tenant) -> Invoice:
    invoice = (
        Invoice.objects.filter(tenant=tenant, status="AUTHORISED", type="ACCREC", amount_due__gt=0)
        .order_by("pk")
        .first()
    )
    assert invoice is not None
    return invoice


@pytest.mark.django_db(transaction=True)
def test_the_sandboxs_own_delivery_becomes_a_readable_entry(
    xero, cast: Cast, books: Tenant, live_server
) -> None:
    """Xero (the sandbox) pays an invoice and delivers the event to the real receiver."""
    requests.put(
        f"{xero.url}/_sandbox/webhooks",
        json={"url": live_server.url + "/webhooks/xero/"},
        timeout=5,
    ).raise_for_status()
    invoice = authorised_sales_invoice(books)
    bank = next(
        a for a in xero.sandbox.state.orgs[books.tenant_id].accounts.values() if a["Type"] == "BANK"
    )
    answer = requests.put(
        f"{xero.url}/api.xro/2.0/Payments",
        json={
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice.xero_id},
                    "Account": {"AccountID": bank["AccountID"]},
                    "Amount": float(invoice.amount_due),
                }
            ]
        },
        headers={
            "Authorization": "Bearer " + _token(books),
            "xero-tenant-id": books.tenant_id,
        },
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    status = control(xero.url, "webhooks/flush", {})
    assert status["deliveries"][0]["status"] == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.app is None
    (processed,) = process_all()
    assert processed.status == WebhookDelivery.Status.DONE
    entry = ActivityEvent.objects.get(source=ActivityEvent.Source.WEBHOOK)
    total = f"NZ${invoice.total:,.2f}"  # the demo company is in NZ dollars
    assert entry.summary == (
        f"Invoice {invoice.number} for {invoice.contact_name} was updated in Xero: "
        f"Awaiting payment → Paid, {total}"
    )
    assert entry.tenant == books
    assert entry.client == cast.client_a
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("PAID", 0)


def _token(tenant: Tenant) -> str:
    from xeroadmin.connections.clients import grant_access_token

    assert tenant.grant is not None
    return grant_access_token(grant_id=tenant.grant.pk)


def test_duplicates_are_stored_once_and_described_once(xero, cast: Cast, books: Tenant) -> None:
    invoice = authorised_sales_invoice(books)
    source = edit_in_xero(xero, books, invoice, "Changed in Xero")
    changed = event(books.tenant_id, invoice.xero_id, source["UpdatedDateUTC"])
    body = payload([changed, changed])  # twice in one delivery
    assert deliver(HttpClient(), body).status_code == 200
    assert deliver(HttpClient(), payload([changed], first=3)).status_code == 200  # and again
    first, second = process_all()
    assert WebhookEvent.objects.count() == 1
    assert (first.events, first.duplicates) == (2, 1)
    assert (second.events, second.duplicates) == (1, 1)
    entry = ActivityEvent.objects.get(source=ActivityEvent.Source.WEBHOOK)
    assert "reference “" in entry.summary
    assert "“Changed in Xero”" in entry.summary
    assert WebhookEvent.objects.get().activity == entry


def test_an_event_older_than_our_copy_fetches_nothing_and_changes_nothing(
    xero, cast: Cast, books: Tenant
) -> None:
    invoice = authorised_sales_invoice(books)
    assert invoice.updated_utc is not None
    source = source_invoice(xero, books, invoice)
    source["Reference"] = "Would roll back"
    calls = stats(xero.url)["calls"]
    old = event(books.tenant_id, invoice.xero_id, invoice.updated_utc - timedelta(minutes=5))
    deliver(HttpClient(), payload([old]))
    process_all()
    assert stats(xero.url)["calls"] == calls
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.CURRENT
    invoice.refresh_from_db()
    assert invoice.reference != "Would roll back"
    assert not ActivityEvent.objects.filter(source=ActivityEvent.Source.WEBHOOK).exists()


def test_a_copy_older_than_ours_is_not_written(xero, cast: Cast, books: Tenant) -> None:
    """Xero answers with an older copy than the mirror's (a lagging read): no rollback."""
    invoice = authorised_sales_invoice(books)
    assert invoice.updated_utc is not None
    Invoice.objects.filter(pk=invoice.pk).update(
        reference="Newest", updated_utc=invoice.updated_utc + timedelta(hours=1)
    )
    newer = event(books.tenant_id, invoice.xero_id, invoice.updated_utc + timedelta(hours=2))
    deliver(HttpClient(), payload([newer]))
    process_all()
    invoice.refresh_from_db()
    assert invoice.reference == "Newest"
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.CURRENT


def test_unknown_tenants_are_kept_unrouted(xero, cast: Cast, books: Tenant) -> None:
    deliver(
        HttpClient(),
        payload([event("00000000-0000-0000-0000-000000000000", "r-1", timezone.now())]),
    )
    (delivery,) = process_all()
    assert delivery.status == WebhookDelivery.Status.DONE
    unrouted = WebhookEvent.objects.get()
    assert unrouted.status == WebhookEvent.Status.UNROUTED
    assert unrouted.tenant is None
    assert unrouted.workspace is None


def test_contacts_and_credit_notes_are_described(xero, cast: Cast, books: Tenant) -> None:
    done = control(xero.url, "simulate", {"tenantId": books.tenant_id, "action": "creditnote"})
    note_id = done["done"][0]["creditNoteId"]
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").order_by("pk").first()
    assert contact is not None
    source = xero.sandbox.state.orgs[books.tenant_id].contacts[contact.xero_id]
    source["ContactStatus"] = "ARCHIVED"
    source["EmailAddress"] = "new@example.com"
    source["UpdatedDateUTC"] = timezone.now()
    events = [
        event(books.tenant_id, contact.xero_id, timezone.now(), category="CONTACT"),
        event(
            books.tenant_id,
            note_id,
            timezone.now(),
            category="CREDITNOTE",
            event_type="CREATE",
            data={"Type": "ACCRECCREDIT", "Status": "AUTHORISED"},
        ),
    ]
    deliver(HttpClient(), payload(events))
    process_all()
    summaries = set(
        ActivityEvent.objects.filter(source=ActivityEvent.Source.WEBHOOK).values_list(
            "summary", flat=True
        )
    )
    assert (
        f"Contact {contact.name} was updated in Xero: archived, e-mail “{contact.email}” → “new@example.com”"
        in summaries
    )
    note = xero.sandbox.state.orgs[books.tenant_id].credit_notes[note_id]
    assert (
        f"Credit note {note['CreditNoteNumber']} for {note['Contact']['Name']} was created in "
        f"Xero: To allocate, NZ${note['Total']:,.2f}"
    ) in summaries
    contact.refresh_from_db()
    assert contact.status == "ARCHIVED"
    assert Document.objects.get(tenant=books, xero_id=note_id).status == note["Status"]


def test_an_allocation_made_in_xero_reaches_the_mirror_and_the_feed(
    xero, cast: Cast, books: Tenant
) -> None:
    from tests.sandbox.helpers import BOOKS_SCOPES, client_for

    org = xero.sandbox.state.orgs[books.tenant_id]
    note = next(n for n in org.credit_notes.values() if n["Status"] == "AUTHORISED")
    contact = note["Contact"]["ContactID"]
    api = client_for(xero.url, scope=BOOKS_SCOPES)
    owing = api.put(  # an invoice for the credit note's contact, made in Xero
        "Invoices",
        {
            "Type": "ACCREC",
            "Contact": {"ContactID": contact},
            "Status": "AUTHORISED",
            "DueDate": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "LineItems": [{"Description": "Work", "UnitAmount": 500, "AccountCode": "200"}],
        },
    ).json()["Invoices"][0]
    share = min(note["AmountDue"], owing["AmountDue"], Decimal("5.00"))
    made = api.put(
        f"CreditNotes/{note['CreditNoteID']}/Allocations",
        {"Allocations": [{"Invoice": {"InvoiceID": owing["InvoiceID"]}, "Amount": str(share)}]},
    )
    assert made.status_code == 200, made.text
    deliver(
        HttpClient(),
        payload(
            [event(books.tenant_id, note["CreditNoteID"], timezone.now(), category="CREDITNOTE")]
        ),
    )
    process_all()
    mirrored = Document.objects.get(tenant=books, xero_id=note["CreditNoteID"])
    assert mirrored.remaining == org.credit_notes[note["CreditNoteID"]]["AmountDue"]
    assert mirrored.allocations.filter(invoice_xero_id=owing["InvoiceID"]).exists()
    summary = ActivityEvent.objects.get(source=ActivityEvent.Source.WEBHOOK).summary
    assert summary == (
        f"Credit note {note['CreditNoteNumber']} for {note['Contact']['Name']} allocated to "
        f"{owing['InvoiceNumber']}: NZ${share:,.2f}"
    )


def test_prepayment_events_are_mirrored(xero, cast: Cast, books: Tenant) -> None:
    from tests.sandbox.helpers import BOOKS_SCOPES, client_for

    contact = Contact.objects.filter(tenant=books, status="ACTIVE").first()
    assert contact is not None
    made = client_for(xero.url, scope=BOOKS_SCOPES).put(
        "BankTransactions",
        {
            "Type": "RECEIVE-PREPAYMENT",
            "Contact": {"ContactID": contact.xero_id},
            "BankAccount": {"Code": "090"},
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Deposit", "UnitAmount": 250, "AccountCode": "200"}],
        },
    )
    prepayment_id = made.json()["BankTransactions"][0]["PrepaymentID"]
    deliver(
        HttpClient(),
        payload(
            [
                event(
                    books.tenant_id,
                    prepayment_id,
                    timezone.now(),
                    category="PREPAYMENT",
                    event_type="CREATE",
                )
            ]
        ),
    )
    process_all()
    mirrored = Document.objects.get(tenant=books, xero_id=prepayment_id)
    assert (mirrored.kind, mirrored.remaining) == ("prepayment", Decimal("250.00"))
    summary = ActivityEvent.objects.get(source=ActivityEvent.Source.WEBHOOK).summary
    assert summary == f"Prepayment for {contact.name} was created in Xero: To allocate, NZ$250.00"


def test_subscription_events_land_in_the_workspace_of_their_app(xero, cast: Cast) -> None:
    app = XeroApp.objects.create(
        workspace=cast.workspace,
        name="Own app",
        client_id="own-client",
        client_secret="own-secret",
        webhook_key="own-key",
    )
    sub = event(
        "app-id", "sub-1", timezone.now(), category="SUBSCRIPTION", tenantType="APPLICATION"
    )
    deliver(HttpClient(), payload([sub]), key="own-key", url=f"/webhooks/xero/{app.webhook_token}/")
    deliver(HttpClient(), payload([sub]))  # the deployment's app: no workspace's business
    process_all()
    entry = ActivityEvent.objects.get(source=ActivityEvent.Source.WEBHOOK)
    assert entry.workspace == cast.workspace
    assert entry.tenant is None
    assert entry.summary == "Xero subscription event for Own app: update"
    statuses = set(WebhookEvent.objects.values_list("status", flat=True))
    assert statuses == {WebhookEvent.Status.DONE, WebhookEvent.Status.SKIPPED}


def test_a_failing_fetch_is_retried_with_backoff_then_recorded(
    xero, cast: Cast, books: Tenant
) -> None:
    invoice = authorised_sales_invoice(books)
    edit_in_xero(xero, books, invoice, "After the outage")
    control(xero.url, "faults", {"status": 503, "count": 50, "path": "/api.xro/2.0/Invoices"})
    deliver(HttpClient(), payload([event(books.tenant_id, invoice.xero_id, timezone.now())]))
    (delivery,) = process_all()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > timezone.now()
    assert "unavailable" in delivery.error.lower() or "503" in delivery.error
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PENDING
    # Not due yet: a second run does nothing.
    assert processing.delivery_process(delivery_id=delivery.pk) is None
    requests.delete(f"{xero.url}/_sandbox/faults", timeout=5)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert processing.delivery_sweep() == 1
    done = processing.delivery_process(delivery_id=delivery.pk)
    assert done is not None
    assert done.status == WebhookDelivery.Status.DONE
    assert "“After the outage”" in ActivityEvent.objects.get(source="webhook").summary


def test_it_gives_up_after_the_last_attempt_and_an_admin_can_retry(
    xero, cast: Cast, books: Tenant, as_admin
) -> None:
    invoice = authorised_sales_invoice(books)
    edit_in_xero(xero, books, invoice, "Eventually")
    control(xero.url, "faults", {"status": 503, "count": 50, "path": "/api.xro/2.0/Invoices"})
    deliver(HttpClient(), payload([event(books.tenant_id, invoice.xero_id, timezone.now())]))
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=processing.MAX_ATTEMPTS - 1)
    failed = processing.delivery_process(delivery_id=delivery.pk)
    assert failed is not None
    assert failed.status == WebhookDelivery.Status.FAILED
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.FAILED
    requests.delete(f"{xero.url}/_sandbox/faults", timeout=5)
    page = as_admin.get(f"/w/{cast.workspace.pk}/webhooks/{delivery.pk}/")
    assert b"Retry now" in page.content
    as_admin.post(f"/w/{cast.workspace.pk}/webhooks/{delivery.pk}/retry/")
    done = processing.delivery_process(delivery_id=delivery.pk)
    assert done is not None
    assert done.status == WebhookDelivery.Status.DONE
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.DONE


def test_a_signed_body_that_is_not_xeros_format_is_kept_as_invalid(xero) -> None:
    for body in (b"not json", b"[]", b'{"events": [{"tenantId": 5}]}', b'{"events": "x"}'):
        deliver(HttpClient(), body)
    assert {d.status for d in process_all()} == {WebhookDelivery.Status.INVALID}
    assert not WebhookEvent.objects.exists()


def test_a_delivery_marks_its_apps_organisations_webhooks_healthy(xero, cast: Cast, books) -> None:
    other = Tenant.objects.exclude(pk=books.pk).filter(workspace=cast.workspace).first()
    assert other is not None
    assert books.webhooks_seen_at is None
    # An event for one organisation proves the subscription for every one of the app.
    deliver(HttpClient(), payload([event(books.tenant_id, "r-1", timezone.now())]))
    process_all()
    for tenant in (books, other):
        tenant.refresh_from_db()
        assert tenant.webhooks_seen_at is not None
    # A signed body that is not Xero's format proves nothing.
    Tenant.objects.update(webhooks_seen_at=None)
    deliver(HttpClient(), b'{"not": "events"}')
    process_all()
    assert not Tenant.objects.filter(webhooks_seen_at__isnull=False).exists()
