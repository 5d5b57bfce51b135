"""Rules worked out against the mirror: once per episode, who hears of it, event rules fed by
the product's own writes, and digests that show only what their reader may see."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.books.test_sync import run
from tests.bulk.helpers import drain, make_job
from tests.conftest import Cast
from xeroadmin.alerts import engine
from xeroadmin.alerts import mail as alert_mail
from xeroadmin.alerts.models import Alert, Episode, Notification, Rule
from xeroadmin.books import services
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.bulk.services import bulk_job_start
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def rule(cast: Cast, condition: str, *, owner=None, **fields) -> Rule:
    made = Rule.objects.create(workspace=cast.workspace, condition=condition, owner=owner, **fields)
    return made


def test_a_state_alerts_once_when_it_begins_and_again_only_after_it_clears(
    cast: Cast, books: Tenant
) -> None:
    watched = rule(cast, "needs_reconnect")
    assert engine.tenant_evaluate(books) == 0
    for _ in range(2):  # broken, and still broken at the next look
        Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
        books.refresh_from_db()
        engine.tenant_evaluate(books)
    assert Alert.objects.filter(rule=watched).count() == 1
    alert = Alert.objects.get(rule=watched)
    assert alert.summary == f"{books.name} needs reconnecting to Xero"
    # Everyone who may see client A's organisation, the limited member included.
    members = set(Notification.objects.filter(alert=alert).values_list("member_id", flat=True))
    assert members == {
        cast.owner.pk,
        cast.admin.pk,
        cast.finance.pk,
        cast.viewer.pk,
        cast.limited.pk,
    }
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.CONNECTED)
    books.refresh_from_db()
    engine.tenant_evaluate(books)
    assert Episode.objects.get(rule=watched).ended_at is not None
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    books.refresh_from_db()
    engine.tenant_evaluate(books)
    assert Alert.objects.filter(rule=watched).count() == 2


def test_a_limited_member_hears_nothing_of_other_clients(cast: Cast, books: Tenant) -> None:
    books.client = cast.client_b
    books.save()
    rule(cast, "needs_reconnect")
    mine = rule(cast, "needs_reconnect", owner=cast.limited)
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    books.refresh_from_db()
    engine.tenant_evaluate(books)
    assert not Notification.objects.filter(member=cast.limited).exists()
    assert not Alert.objects.filter(rule=mine).exists()


def test_event_rules_hear_the_products_own_writes(cast: Cast, books: Tenant, xero) -> None:
    big = rule(cast, "invoice_approved", owner=cast.finance, amount=Decimal("100"))
    gone = rule(cast, "invoice_voided", amount=Decimal("0"))
    drafts = list(Invoice.objects.filter(tenant=books, status="DRAFT").order_by("pk")[:3])
    small = Invoice.objects.filter(tenant=books, status="DRAFT", total__lt=100).first()
    services.invoice_action(
        tenant=books, invoice=drafts[0], action="approve", actor=cast.finance.user, seen=None
    )
    job = make_job(
        cast.finance, Invoice.objects.filter(pk__in=[d.pk for d in drafts[1:]]), "approve"
    )
    drain(bulk_job_start(job=job, actor=cast.finance.user))
    engine.tenant_evaluate(books)
    approved = [d for d in drafts if d.total >= 100]
    assert Alert.objects.filter(rule=big).count() == len(approved)
    assert all("was approved in" in a.summary for a in Alert.objects.filter(rule=big))
    if small is not None and small.pk not in [d.pk for d in drafts]:
        services.invoice_action(
            tenant=books, invoice=small, action="approve", actor=cast.finance.user, seen=None
        )
        engine.tenant_evaluate(books)
        assert Alert.objects.filter(rule=big).count() == len(approved)
    drafts[0].refresh_from_db()
    services.invoice_action(
        tenant=books, invoice=drafts[0], action="void", actor=cast.finance.user, seen=None
    )
    engine.tenant_evaluate(books)
    engine.tenant_evaluate(books)  # nothing new: nothing more
    voided = Alert.objects.get(rule=gone)
    assert voided.summary.endswith(f"was voided in {books.name}")


def test_bank_details_changed_in_xero_alert(cast: Cast, books: Tenant, xero) -> None:
    rule(cast, "bank_details")
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").order_by("pk").first()
    assert contact is not None
    org = xero.sandbox.state.orgs[books.tenant_id]
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=True):
        org.contacts[contact.xero_id] = {
            **org.contacts[contact.xero_id],
            "BankAccountDetails": "12-3456-7890123-00",
            "UpdatedDateUTC": timezone.now(),
        }
        run(books, "full")
        engine.tenant_evaluate(books)
    alert = Alert.objects.get(rule__condition="bank_details")
    assert alert.summary == f"The bank details of {contact.name} changed in {books.name}"


def test_a_digest_holds_only_what_its_reader_may_see_now(cast: Cast, books: Tenant) -> None:
    other = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-other", name="Bayside Books", client=cast.client_b
    )
    mine = rule(cast, "needs_reconnect", owner=cast.finance, email=Rule.Email.DAILY)
    for tenant in (books, other):
        Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
        tenant.refresh_from_db()
        engine.tenant_evaluate(tenant)
    assert Alert.objects.filter(rule=mine).count() == 2
    # Since then the finance member was limited to client A.
    cast.finance.limited = True
    cast.finance.save()
    cast.finance.clients.set([cast.client_a])
    mail.outbox.clear()
    assert alert_mail.digests_send() == 1
    body = mail.outbox[0].body
    assert books.name in body
    assert "Bayside" not in body
    assert alert_mail.digests_send() == 0  # nothing new, and not a day later
    assert not Notification.objects.filter(member=cast.finance, emailed_at__isnull=True).exists()


def test_immediate_email_goes_once(cast: Cast, books: Tenant) -> None:
    rule(cast, "needs_reconnect", owner=cast.finance, email=Rule.Email.IMMEDIATE)
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    books.refresh_from_db()
    engine.tenant_evaluate(books)
    alert = Alert.objects.get()
    mail.outbox.clear()
    assert alert_mail.alert_email_now(alert.pk) == 1
    assert alert_mail.alert_email_now(alert.pk) == 0
    assert mail.outbox[0].to == ["finance@example.com"]
    assert mail.outbox[0].subject == f"[xeroadmin] {books.name} needs reconnecting to Xero"


def test_a_weekly_digest_waits_a_week(cast: Cast, books: Tenant) -> None:
    rule(cast, "needs_reconnect", owner=cast.finance, email=Rule.Email.WEEKLY)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
        books.refresh_from_db()
        engine.tenant_evaluate(books)
        mail.outbox.clear()
        assert alert_mail.digests_send() == 1  # the first one goes at once
    with time_machine.travel(start + timedelta(days=1), tick=False):
        Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.CONNECTED)
        books.refresh_from_db()
        engine.tenant_evaluate(books)
        Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
        books.refresh_from_db()
        engine.tenant_evaluate(books)
        assert alert_mail.digests_send() == 0  # a day later: not yet
    with time_machine.travel(start + timedelta(days=7), tick=False):
        assert alert_mail.digests_send() == 1
    assert len(mail.outbox) == 2
    assert "Your weekly digest" in mail.outbox[1].subject
    assert "1 alert since" in mail.outbox[1].body
