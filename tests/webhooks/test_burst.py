"""A burst: 200 deliveries carrying 10,000 events (500 of them repeats), interleaved with 1,000
badly signed deliveries. Every good event is stored exactly once, every change is described
exactly once, and every bad delivery is a bare 401 that stores nothing but the count."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tests.conftest import Cast
from tests.webhooks.helpers import deliver, event, payload, stamp
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.models import Tenant
from xeroadmin.webhooks import processing
from xeroadmin.webhooks.models import WebhookCounter, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db

PER_DELIVERY = 50


def test_a_burst_is_stored_once_and_described_once(xero, cast: Cast, books: Tenant) -> None:
    rng = random.Random(5)
    org = xero.sandbox.state.orgs[books.tenant_id]
    invoices = list(Invoice.objects.filter(tenant=books).values_list("xero_id", flat=True))
    contacts = list(Contact.objects.filter(tenant=books).values_list("xero_id", flat=True))
    resources = [("INVOICE", i) for i in invoices] + [("CONTACT", c) for c in contacts]
    # Twenty real changes in Xero; every other event is an older replay of what we have.
    now = timezone.now().replace(microsecond=0)
    changed = {}
    for n, (category, xero_id) in enumerate(rng.sample(resources, 20)):
        record = (org.invoices if category == "INVOICE" else org.contacts)[xero_id]
        if category == "INVOICE":
            record["Reference"] = f"Burst change {n}"
        else:
            record["EmailAddress"] = f"burst{n}@example.com"
        record["UpdatedDateUTC"] = now
        changed[xero_id] = now
    unique = []
    for n in range(190 * PER_DELIVERY):
        category, xero_id = resources[n % len(resources)]
        when = changed.get(xero_id, now - timedelta(days=30)) - timedelta(milliseconds=n)
        unique.append(event(books.tenant_id, xero_id, when, category=category))
    repeats = rng.sample(unique, 10 * PER_DELIVERY)  # at least once: some arrive twice
    sent = unique + repeats
    bodies = [payload(sent[i : i + PER_DELIVERY], i + 1) for i in range(0, len(sent), PER_DELIVERY)]
    assert (len(bodies), len(sent)) == (200, 10_000)

    http = HttpClient()
    bad = 0
    for body in bodies:
        answer = deliver(http, body)
        assert (answer.status_code, answer.content) == (200, b"")
        for _ in range(5):
            wrong = deliver(http, body, key=f"forged-{rng.random()}")
            assert (wrong.status_code, wrong.content) == (401, b"")
            assert "Set-Cookie" not in wrong.headers
            bad += 1
    assert bad == 1_000
    assert WebhookDelivery.objects.count() == 200
    assert WebhookCounter.objects.get(scope="default").rejected == 1_000

    for pk in WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True):
        done = processing.delivery_process(delivery_id=pk)
        assert done is not None
        assert done.status == WebhookDelivery.Status.DONE

    stored = WebhookEvent.objects.all()
    assert stored.count() == len(unique)
    assert {(e.resource_id, e.event_date and stamp(e.event_date)) for e in stored} == {
        (e["resourceId"], e["eventDateUtc"]) for e in unique
    }
    assert sum(WebhookDelivery.objects.values_list("duplicates", flat=True)) == len(repeats)
    assert not stored.filter(status=WebhookEvent.Status.PENDING).exists()
    entries = ActivityEvent.objects.filter(source=ActivityEvent.Source.WEBHOOK)
    assert entries.count() == len(changed)
    assert {e.data["record"] for e in entries} == set(changed)
    assert stored.filter(activity__isnull=False).count() == len(changed)
