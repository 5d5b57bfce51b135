"""A worker killed in the middle of a delivery: what it finished stays finished, the rest is
processed after a new worker starts, and no activity is written twice."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import control
from tests.webhooks.helpers import deliver, event, payload
from tests.worker import celery_worker, wait_for
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.models import Tenant
from xeroadmin.webhooks import processing
from xeroadmin.webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_delivery_survives_its_worker_being_killed(
    xero, cast: Cast, books: Tenant, tmp_path: Path
) -> None:
    org = xero.sandbox.state.orgs[books.tenant_id]
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").order_by("pk").first()
    invoice = Invoice.objects.filter(tenant=books, status="AUTHORISED").order_by("pk").first()
    assert contact is not None
    assert invoice is not None
    now = timezone.now()
    org.contacts[contact.xero_id]["EmailAddress"] = "killed@example.com"
    org.contacts[contact.xero_id]["UpdatedDateUTC"] = now
    org.invoices[invoice.xero_id]["Reference"] = "Survived"
    org.invoices[invoice.xero_id]["UpdatedDateUTC"] = now
    # Contacts are processed first; then the invoice fetch hangs long enough to kill the worker.
    control(xero.url, "faults", {"status": 0, "latencyMs": 15000, "path": "/api.xro/2.0/Invoices"})
    body = payload(
        [
            event(books.tenant_id, contact.xero_id, now, category="CONTACT"),
            event(books.tenant_id, invoice.xero_id, now),
        ]
    )
    with celery_worker(mail_dir=tmp_path) as worker:
        assert deliver(HttpClient(), body).status_code == 200  # queued on commit
        wait_for(lambda: WebhookEvent.objects.filter(category="CONTACT", status="done").exists())
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PROCESSING
    assert WebhookEvent.objects.get(category="INVOICE").status == WebhookEvent.Status.PENDING
    # Nobody heard from that worker for longer than a claim lasts.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - processing.STALE - processing.CLOCK_SKEW
    )
    with celery_worker(mail_dir=tmp_path):
        assert processing.delivery_sweep() == 1
        wait_for(
            lambda: (
                WebhookDelivery.objects.get(pk=delivery.pk).status == WebhookDelivery.Status.DONE
            )
        )
    entries = ActivityEvent.objects.filter(source=ActivityEvent.Source.WEBHOOK)
    assert sorted(e.category for e in entries) == ["contact", "invoice"]
    assert WebhookEvent.objects.filter(activity__isnull=False).count() == 2
    assert "“Survived”" in entries.get(category="invoice").summary
