"""Outbound deliveries to a real HTTP receiver: every signature checks out, a receiver that
fails for a while still gets each event exactly once (by its id) once it recovers, and a
private address is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tests.alerts.receiver import Receiver
from tests.conftest import Cast
from xeroadmin.alerts import delivery, engine
from xeroadmin.alerts.models import Channel, Delivery, Rule
from xeroadmin.books import services
from xeroadmin.books.models import Contact
from xeroadmin.connections.models import Tenant
from xeroadmin.lib import outbound

pytestmark = pytest.mark.django_db


def send_due() -> None:
    for pk in delivery.deliveries_due():
        delivery.delivery_send(pk)


def test_every_event_arrives_once_through_a_receivers_bad_spell(
    cast: Cast, books: Tenant, settings
) -> None:
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    with Receiver(secret="whsec_test", fail_first=7) as receiver:
        hook = Channel.objects.create(
            workspace=cast.workspace,
            kind=Channel.Kind.WEBHOOK,
            name="CRM",
            url=receiver.url,
            secret="whsec_test",
        )
        watched = Rule.objects.create(workspace=cast.workspace, condition="needs_reconnect")
        watched.channels.add(hook)
        # Record events: three contacts edited here; and an alert.
        for contact in Contact.objects.filter(tenant=books, status="ACTIVE").order_by("pk")[:3]:
            services.contact_save(
                tenant=books, contact=contact, actor=cast.finance.user, data={"first_name": "Ari"}
            )
        Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
        books.refresh_from_db()
        engine.tenant_evaluate(books)
        events = set(Delivery.objects.values_list("event_id", flat=True))
        assert len(events) == 4
        assert set(Delivery.objects.values_list("event", flat=True)) == {
            "contact.updated",
            "alert",
        }
        now = timezone.now()
        for hours in range(0, 30):  # a day and more, in steps past each wait
            for minutes in range(0, 60, 10):
                with time_machine.travel(now + timedelta(hours=hours, minutes=minutes), tick=False):
                    send_due()
        assert receiver.bad_signatures == 0
        assert set(receiver.events) == events
        assert set(receiver.events.values()) == {1}  # each exactly once
        assert receiver.requests == 7 + 4
        assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
        alert = next(b for b in receiver.bodies if b["type"] == "alert")
        assert alert["data"]["summary"] == f"{books.name} needs reconnecting to Xero"
        contact = next(b for b in receiver.bodies if b["type"] == "contact.updated")
        assert contact["data"]["contact"]["id"]
        assert contact["data"]["organisation"]["id"] == books.tenant_id


def test_a_receiver_that_never_recovers_is_given_up_after_a_day(cast: Cast, settings) -> None:
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    with Receiver(fail_first=10_000) as receiver:
        channel = Channel.objects.create(
            workspace=cast.workspace, kind=Channel.Kind.SLACK, name="Ops", url=receiver.url
        )
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            from xeroadmin.alerts.services import channel_test

            sent = channel_test(channel=channel, actor=cast.admin.user)
        for hours in range(0, 26):
            for minutes in range(0, 60, 15):
                with time_machine.travel(now + timedelta(hours=hours, minutes=minutes), tick=False):
                    send_due()
        sent.refresh_from_db()
        assert sent.status == Delivery.Status.FAILED
        assert 10 <= sent.attempts <= 40
        assert sent.last_code == 503
        # Slack's own shape: words with a link.
        assert json.loads(delivery.body_of(sent))["text"].startswith("A test from xeroadmin")


def test_private_addresses_are_refused(cast: Cast, as_admin: HttpClient, settings) -> None:
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    for url in (
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://user:secret@example.com/hook",
    ):
        with pytest.raises(outbound.Refused):
            outbound.post(url, b"{}", {})
        response = as_admin.post(
            reverse("alerts:channel-new", args=[cast.workspace.pk]),
            {"kind": "webhook", "name": "Inside", "url": url},
        )
        assert response.status_code == 400, url
    assert not Channel.objects.exists()
    # A channel stored before (or a name that resolves inward later) is refused at sending.
    channel = Channel.objects.create(
        workspace=cast.workspace, kind=Channel.Kind.WEBHOOK, name="Old", url="https://10.0.0.8/x"
    )
    from xeroadmin.alerts.services import channel_test

    sent = channel_test(channel=channel, actor=cast.admin.user)
    assert delivery.delivery_send(sent.pk) == Delivery.Status.FAILED
    sent.refresh_from_db()
    assert "private or local network" in sent.last_error


def test_the_socket_itself_is_checked(settings) -> None:
    """A name that passed the first check but connects somewhere private is stopped before a
    byte is sent (the check is on the connected socket)."""
    import requests

    with Receiver() as receiver:
        session = requests.Session()
        session.trust_env = False
        session.mount("http://", outbound._Adapter(allow_loopback=False))
        with pytest.raises(outbound.Refused):
            session.post(receiver.url, data=b"{}", timeout=3)
        assert receiver.requests == 0


def test_slack_and_teams_get_words_and_a_link(cast: Cast, settings) -> None:
    settings.SITE_URL = "https://xeroadmin.example.com"
    now = timezone.now()
    payload = {
        "summary": "Bill B-7 from Kauri & Co <Ltd> is waiting",
        "url": "/w/1/o/2/invoices/3/",
    }
    made = {}
    for kind in ("slack", "teams"):
        channel = Channel.objects.create(
            workspace=cast.workspace, kind=kind, name=kind, url="https://hooks.example.com/x"
        )
        made[kind] = Delivery.objects.create(
            channel=channel,
            event_id=f"e-{kind}",
            event="alert",
            payload=payload,
            next_at=now,
            created_at=now,
        )
    slack = json.loads(delivery.body_of(made["slack"]))
    assert slack == {
        "text": "<https://xeroadmin.example.com/w/1/o/2/invoices/3/|Bill B-7 from Kauri &amp; Co "
        "&lt;Ltd&gt; is waiting>"
    }
    card = json.loads(delivery.body_of(made["teams"]))["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == payload["summary"]
    assert card["actions"][0]["url"] == "https://xeroadmin.example.com/w/1/o/2/invoices/3/"
    # The same bytes on every attempt.
    assert delivery.body_of(made["teams"]) == delivery.body_of(made["teams"])
