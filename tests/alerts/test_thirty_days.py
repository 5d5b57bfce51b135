"""Thirty simulated days with scripted episodes of every condition, the app's clock frozen and
moved a day at a time (the sandbox serves from this process, so its clock moves with it):
each episode gives exactly one alert on each channel it is sent to, none while it lasts and a
new one only after it has cleared and come back; nothing twice, nothing missed."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.alerts.receiver import Receiver
from tests.conftest import Cast
from xeroadmin.alerts import delivery, engine
from xeroadmin.alerts import mail as alert_mail
from xeroadmin.alerts.models import Alert, Channel, Delivery, Notification, Rule
from xeroadmin.books import mirror, services
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Grant, Tenant
from xeroadmin.portfolio.models import Finding
from xeroadmin.webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db
DAYS = 30
BIG = Decimal("1000000000")
# Condition → the episodes the script below makes of it.
EXPECTED = {
    "needs_reconnect": 2,
    "grant_expiry": 2,  # 7 days before, then 2 days before
    "webhooks_failing": 1,
    "sync_stalled": 1,
    "overdue": 1,
    "bill_awaiting": 2,
    "invoice_created": 2,
    "invoice_approved": 2,
    "invoice_voided": 1,
    "bank_details": 1,
    "health_below": 1,
}


class Script:
    def __init__(self, cast: Cast, tenant: Tenant, xero: Any) -> None:
        self.cast, self.tenant, self.xero = cast, tenant, xero
        self.drafts: list[Invoice] = []
        # The invoice that falls overdue, and the bill that waits for approval.
        self.overdue = Invoice.objects.filter(tenant=tenant, type="ACCREC", status="AUTHORISED")[0]
        self.waiting = Invoice.objects.filter(tenant=tenant, type="ACCPAY", status="DRAFT")[0]

    def status(self, status: str) -> None:
        Tenant.objects.filter(pk=self.tenant.pk).update(status=status)

    def grant_used(self, days_ago: float) -> None:
        assert self.tenant.grant_id is not None
        Grant.objects.filter(pk=self.tenant.grant_id).update(
            last_refreshed_at=timezone.now() - timedelta(days=days_ago)
        )

    def synced(self) -> None:
        Tenant.objects.filter(pk=self.tenant.pk).update(last_synced_at=timezone.now())

    def webhook_failed(self) -> None:
        received = WebhookDelivery.objects.create(body=b"{}")
        WebhookEvent.objects.create(
            delivery=received,
            workspace=self.cast.workspace,
            tenant=self.tenant,
            key=uuid.uuid4().hex,
            xero_tenant_id=self.tenant.tenant_id,
            category="INVOICE",
            event_type="UPDATE",
            resource_id=str(uuid.uuid4()),
            status=WebhookEvent.Status.FAILED,
        )

    def overdue_from(self, days: int) -> None:
        """The chosen invoice falls more than 30 days overdue `days` from now."""
        due = timezone.localdate() - timedelta(days=31 - days)
        Invoice.objects.filter(pk=self.overdue.pk).update(due_date=due, amount_due=BIG * 2)

    def paid(self) -> None:
        Invoice.objects.filter(pk=self.overdue.pk).update(status="PAID", amount_due=0)

    def bill(self, status: str) -> None:
        Invoice.objects.filter(pk=self.waiting.pk).update(status=status)

    def draft(self) -> None:
        contact = Contact.objects.filter(tenant=self.tenant, status="ACTIVE", is_customer=True)
        written = services.invoice_save(
            tenant=self.tenant,
            invoice=None,
            actor=self.cast.finance.user,
            header={
                "type": "ACCREC",
                "contact": contact.first().xero_id,  # type: ignore[union-attr]
                "date": timezone.localdate(),
                "due_date": timezone.localdate() + timedelta(days=14),
                "currency_code": self.tenant.base_currency or "NZD",
                "line_amount_types": "Exclusive",
            },
            lines=[
                {
                    "description": "Month's support",
                    "quantity": 1,
                    "unit_amount": 250,
                    "account_code": "200",
                    "tax_type": "OUTPUT2",
                }
            ],
        )
        self.drafts.append(written.record)

    def approve(self) -> None:
        self.act(self.drafts[-1], "approve")

    def void(self) -> None:
        self.act(self.drafts[0], "void")

    def act(self, invoice: Invoice, action: str) -> None:
        invoice.refresh_from_db()
        services.invoice_action(
            tenant=self.tenant,
            invoice=invoice,
            action=action,
            actor=self.cast.finance.user,
            seen=None,
        )

    def bank_changed(self) -> None:
        contact = Contact.objects.filter(tenant=self.tenant, status="ACTIVE").order_by("pk")[0]
        org = self.xero.sandbox.state.orgs[self.tenant.tenant_id]
        org.contacts[contact.xero_id] = {
            **org.contacts[contact.xero_id],
            "BankAccountDetails": "01-0123-0456789-00",
            "UpdatedDateUTC": timezone.now(),
        }
        # As a webhook's processing fetches it.
        fetched = tenant_client(self.tenant).get(f"Contacts/{contact.xero_id}")
        mirror.contacts_upsert(self.tenant, fetched["Contacts"])

    def unhealthy(self, yes: bool) -> None:
        Finding.objects.update_or_create(
            tenant=self.tenant,
            kind="needs_reconnect",
            subject="scripted",
            defaults={
                "workspace": self.cast.workspace,
                "summary": "scripted",
                "inputs": "x",
                "state": Finding.State.OPEN if yes else Finding.State.RESOLVED,
            },
        )


def test_thirty_days_of_episodes(cast: Cast, books: Tenant, xero, settings) -> None:
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    # Quiet books to start from: nothing waiting for approval, nothing long overdue (rules
    # below watch only what the script makes).
    Invoice.objects.filter(tenant=books, status="SUBMITTED").update(status="DRAFT")
    script = Script(cast, books, xero)
    with Receiver() as slack, Receiver(secret="whsec_proof") as hook:
        channels = [
            Channel.objects.create(workspace=cast.workspace, kind="slack", name="S", url=slack.url),
            Channel.objects.create(
                workspace=cast.workspace,
                kind="webhook",
                name="W",
                url=hook.url,
                secret="whsec_proof",
                record_events=False,
            ),
        ]
        rules = {}
        for condition in EXPECTED:
            params: dict[str, Any] = {}
            if condition == "overdue":
                params = {"days": 30, "amount": BIG}
            elif condition in ("invoice_created", "invoice_approved", "invoice_voided"):
                params = {"amount": Decimal("100")}
            elif condition == "health_below":
                params = {"level": 90}
            rules[condition] = Rule.objects.create(
                workspace=cast.workspace, condition=condition, **params
            )
            rules[condition].channels.set(channels)
        mine = Rule.objects.create(
            workspace=cast.workspace,
            condition="needs_reconnect",
            owner=cast.finance,
            email=Rule.Email.IMMEDIATE,
        )
        plan: dict[int, list[Any]] = {
            1: [lambda: script.bill("SUBMITTED")],
            2: [lambda: script.status(Tenant.Status.NEEDS_RECONNECT)],
            4: [lambda: script.bill("AUTHORISED")],
            5: [lambda: script.status(Tenant.Status.CONNECTED)],
            6: [lambda: script.overdue_from(0)],
            7: [lambda: script.bill("SUBMITTED")],
            8: [lambda: script.grant_used(54)],  # 6 days left: the 7-day warning
            9: [script.paid, lambda: script.bill("AUTHORISED")],
            10: [lambda: script.grant_used(58.5)],  # a day and a half: the 2-day warning
            11: [lambda: script.grant_used(0)],  # used again: cleared
            12: [lambda: script.status(Tenant.Status.NEEDS_RECONNECT)],
            13: [lambda: script.status(Tenant.Status.CONNECTED)],
            14: [script.draft, script.approve],
            15: [script.webhook_failed],
            18: [lambda: script.unhealthy(True)],
            19: [lambda: script.unhealthy(False)],
            22: [script.draft, script.approve],
            23: [script.void],
            25: [script.bank_changed],
        }
        stalled = {20, 21}
        start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
        seen_alerts: set[int] = set()
        mail.outbox.clear()
        for day in range(DAYS):
            for hour in (0, 8):  # two looks a day: nothing more while an episode lasts
                moment: datetime = start + timedelta(days=day, hours=hour)
                with time_machine.travel(moment, tick=False):
                    if day not in stalled:
                        script.synced()  # as the scheduled passes do, every 15 minutes
                    if hour == 0:
                        if day not in (8, 9, 10):  # leave the sign-in's age as scripted
                            script.grant_used(0.1)
                        for action in plan.get(day, []):
                            action()
                    books.refresh_from_db()
                    engine.tenant_evaluate(books)
                    for alert in Alert.objects.exclude(pk__in=seen_alerts):
                        alert_mail.alert_email_now(alert.pk)
                        seen_alerts.add(alert.pk)
                    for pk in delivery.deliveries_due():
                        delivery.delivery_send(pk)

        raised = Counter(
            Alert.objects.filter(rule__owner__isnull=True).values_list("rule__condition", flat=True)
        )
        assert dict(raised) == EXPECTED
        total = sum(EXPECTED.values())
        # Each alert once on each channel, nothing twice.
        assert len(slack.bodies) == total
        assert len(hook.events) == total
        assert set(hook.events.values()) == {1}
        assert hook.bad_signatures == 0
        assert Delivery.objects.exclude(status="delivered").count() == 0
        # In the bell of each of the five members who may see client A's organisation.
        for alert in Alert.objects.filter(rule__owner__isnull=True):
            assert alert.notifications.count() == 5, alert.summary
        # The finance member's own subscription: one e-mail and one notification per episode.
        assert Alert.objects.filter(rule=mine).count() == 2
        assert Notification.objects.filter(alert__rule=mine, member=cast.finance).count() == 2
        assert [m.to for m in mail.outbox] == [["finance@example.com"]] * 2
