"""Working out the rules: episodes begin and end, and each beginning raises one alert, fanned
out to the bell, e-mail and the rule's channels.

`tenant_evaluate` runs after an organisation's checks, after record changes, and on a timer
(time moves conditions on by itself: an invoice becomes overdue, a sign-in nears expiry). It
is safe to run twice at once: an open episode is unique per rule, place and key, and the
record changes it consumes are taken under a lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from xeroadmin.alerts import conditions
from xeroadmin.alerts.models import (
    Alert,
    Channel,
    Delivery,
    Episode,
    Notification,
    RecordChange,
    Rule,
)
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.tasks import enqueue_on_commit
from xeroadmin.tenancy.access import visible_clients, visible_to
from xeroadmin.tenancy.models import Client, Membership, Role, role_at_least


def rules_for(tenant: Tenant) -> QuerySet[Rule]:
    """The active rules of the organisation's workspace that cover it."""
    covering = Q(tenants=tenant) | Q(clients__isnull=True, tenants__isnull=True)
    if tenant.client_id is not None:
        covering |= Q(clients=tenant.client_id)
    return (
        Rule.objects.filter(covering, workspace_id=tenant.workspace_id, active=True)
        .select_related("owner__user")
        .distinct()
    )


def tenant_evaluate(tenant: Tenant, *, now: datetime | None = None) -> int:
    """Every rule covering the organisation, worked out; returns how many alerts it raised."""
    now = now or timezone.now()
    raised = 0
    rules = [r for r in rules_for(tenant) if _owner_sees_tenant(r, tenant)]
    place = f"t{tenant.pk}"
    for rule in rules:
        if rule.condition in conditions.TENANT_STATES:
            current = conditions.tenant_situations(rule, tenant, now)
            raised += _reconcile(rule, place, current, now, tenant=tenant)
    raised += _changes(tenant, [r for r in rules if r.condition in conditions.EVENTS], now)
    if tenant.client_id is not None:
        raised += clients_evaluate(tenant.workspace_id, [tenant.client_id], now=now)
    return raised


def clients_evaluate(
    workspace_id: int, client_ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> int:
    """The client conditions (a health score below a level) for these clients (all)."""
    now = now or timezone.now()
    clients = Client.objects.filter(workspace_id=workspace_id)
    if client_ids is not None:
        clients = clients.filter(pk__in=list(client_ids))
    raised = 0
    rules = Rule.objects.filter(
        workspace_id=workspace_id, active=True, condition__in=conditions.CLIENT_STATES
    ).prefetch_related("clients", "tenants")
    for rule in rules.select_related("owner"):
        limits = {c.pk for c in rule.clients.all()}
        limits |= {t.client_id for t in rule.tenants.all() if t.client_id}
        covered = [c for c in clients if not limits or c.pk in limits]
        if rule.owner is not None:
            allowed = set(visible_clients(rule.owner).values_list("pk", flat=True))
            covered = [c for c in covered if c.pk in allowed]
        found = conditions.client_situations(rule, covered)
        for client in covered:
            raised += _reconcile(
                rule, f"c{client.pk}", found.get(client.pk, []), now, client=client
            )
    return raised


def _owner_sees_tenant(rule: Rule, tenant: Tenant) -> bool:
    if rule.owner is None:
        return True
    return visible_to(rule.owner, Tenant.objects.filter(pk=tenant.pk)).exists()


def _reconcile(
    rule: Rule,
    place: str,
    current: list[conditions.Situation],
    now: datetime,
    *,
    tenant: Tenant | None = None,
    client: Client | None = None,
) -> int:
    """Begin an episode (and raise its alert) for each situation not already open; end the
    open ones that no longer hold."""
    now_keys = {s.key: s for s in current}
    open_episodes = {
        e.key: e for e in Episode.objects.filter(rule=rule, place=place, ended_at__isnull=True)
    }
    raised = 0
    for key, situation in now_keys.items():
        if key not in open_episodes:
            raised += _begin(rule, place, situation, now, tenant=tenant, client=client, ended=False)
    gone = [e.pk for key, e in open_episodes.items() if key not in now_keys]
    if gone:
        Episode.objects.filter(pk__in=gone, ended_at__isnull=True).update(ended_at=now)
    return raised


def _begin(
    rule: Rule,
    place: str,
    situation: conditions.Situation,
    now: datetime,
    *,
    tenant: Tenant | None,
    client: Client | None,
    ended: bool,
) -> int:
    """Open the episode and raise its alert, unless another evaluation just did."""
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                rule=rule,
                place=place,
                key=situation.key,
                started_at=now,
                ended_at=now if ended else None,
            )
            _raise(rule, episode, situation, now, tenant=tenant, client=client)
    except IntegrityError:
        return 0  # open already: its alert was raised when it began
    return 1


def _raise(
    rule: Rule,
    episode: Episode,
    situation: conditions.Situation,
    now: datetime,
    *,
    tenant: Tenant | None,
    client: Client | None,
) -> Alert:
    if client is None and tenant is not None and tenant.client_id is not None:
        client = tenant.client  # loaded with the organisation where its callers can
    alert = Alert.objects.create(
        workspace_id=rule.workspace_id,
        rule=rule,
        episode=episode,
        tenant=tenant,
        client=client,
        summary=situation.summary,
        url=situation.url,
        created_at=now,
    )
    members = _recipients(rule, tenant, client)
    Notification.objects.bulk_create(
        [
            Notification(
                alert=alert, member=m, in_app=rule.in_app, email=rule.email, created_at=now
            )
            for m in members
        ]
    )
    for channel in rule.channels.all():
        Delivery.objects.create(
            channel=channel,
            event_id=str(uuid.uuid4()),
            event="alert",
            payload=alert_payload(alert, rule),
            next_at=now,
            created_at=now,
        )
    from xeroadmin.alerts.tasks import alert_fan_out

    enqueue_on_commit(alert_fan_out, alert.pk)
    return alert


def _recipients(rule: Rule, tenant: Tenant | None, client: Client | None) -> list[Membership]:
    """Who hears of an alert in the app or by e-mail: a subscription's owner; for a workspace
    rule, every member who may see the organisation (or client)."""
    if not rule.in_app and not rule.email:
        return []
    if rule.owner is not None:
        return [rule.owner]
    client_id = client.pk if client is not None else (tenant.client_id if tenant else None)
    # One query: admins and members limited to no clients see everything; a limited member,
    # the clients chosen for them.
    admins = [r for r in Role.values if role_at_least(r, Role.ADMIN)]
    sees = Q(role__in=admins) | Q(limited=False)
    if client_id is not None:
        sees |= Q(clients=client_id)
    members = Membership.objects.filter(sees, workspace_id=rule.workspace_id)
    return list(members.select_related("user").distinct())


def alert_payload(alert: Alert, rule: Rule) -> dict[str, object]:
    """The alert as JSON, for webhooks (Slack and Teams get words made from it)."""
    return {
        "alert": alert.pk,
        "rule": rule.describe(),
        "condition": rule.condition,
        "summary": alert.summary,
        "url": alert.url,
        "organisation": {"id": alert.tenant.tenant_id, "name": alert.tenant.name}
        if alert.tenant
        else None,
        "client": {"id": alert.client.pk, "name": alert.client.name} if alert.client else None,
        "raisedAt": alert.created_at.isoformat(),
    }


def _changes(tenant: Tenant, rules: list[Rule], now: datetime) -> int:
    """Take the organisation's record changes: raise event alerts, post record events to the
    workspace's webhook channels, and forget them."""
    raised = 0
    with transaction.atomic():
        taken = list(
            RecordChange.objects.select_for_update(skip_locked=True)
            .filter(tenant=tenant)
            .order_by("pk")[:5000]
        )
        if not taken:
            return 0
        RecordChange.objects.filter(pk__in=[c.pk for c in taken]).delete()
    invoices = Invoice.objects.in_bulk([c.record_pk for c in taken if c.kind == "invoice"])
    contacts = Contact.objects.in_bulk([c.record_pk for c in taken if c.kind == "contact"])
    place = f"t{tenant.pk}"
    for change in taken:
        record = (invoices if change.kind == "invoice" else contacts).get(change.record_pk)
        if record is None:
            continue
        for rule in rules:
            if conditions.event_matches(rule, change, record):
                situation = conditions.Situation(
                    f"change:{change.kind}:{change.xero_id}:{change.pk}",
                    conditions.event_words(rule, change, record, tenant),
                    conditions.record_url(change, tenant),
                )
                raised += _begin(
                    rule, place, situation, now, tenant=tenant, client=None, ended=True
                )
    hooks = list(
        Channel.objects.filter(
            workspace_id=tenant.workspace_id, kind=Channel.Kind.WEBHOOK, record_events=True
        )
    )
    if hooks:
        deliveries = []
        for change in taken:
            record = (invoices if change.kind == "invoice" else contacts).get(change.record_pk)
            if record is None:
                continue
            event = f"{change.kind}.{'created' if change.created else 'updated'}"
            payload = record_payload(change, record, tenant)
            for channel in hooks:
                deliveries.append(
                    Delivery(
                        channel=channel,
                        event_id=str(uuid.uuid4()),
                        event=event,
                        payload=payload,
                        next_at=now,
                        created_at=now,
                    )
                )
        Delivery.objects.bulk_create(deliveries)
        from xeroadmin.alerts.tasks import deliveries_send

        enqueue_on_commit(deliveries_send)
    return raised


def record_payload(
    change: RecordChange, record: Invoice | Contact, tenant: Tenant
) -> dict[str, object]:
    """A contact or invoice as a webhook event's data (what a CRM needs to follow it)."""
    organisation = {"id": tenant.tenant_id, "name": tenant.name}
    if isinstance(record, Contact):
        return {
            "organisation": organisation,
            "contact": {
                "id": record.xero_id,
                "name": record.name,
                "email": record.email,
                "status": record.status,
                "isCustomer": record.is_customer,
                "isSupplier": record.is_supplier,
                "updatedAt": record.updated_utc.isoformat() if record.updated_utc else None,
            },
            "bankDetailsChanged": change.bank_changed,
        }
    return {
        "organisation": organisation,
        "invoice": {
            "id": record.xero_id,
            "type": record.type,
            "number": record.number,
            "reference": record.reference,
            "contact": {"id": record.contact_xero_id, "name": record.contact_name},
            "status": record.status,
            "previousStatus": change.status_from or None,
            "currency": record.currency_code,
            "total": str(record.total),
            "amountDue": str(record.amount_due),
            "date": record.date.isoformat() if record.date else None,
            "dueDate": record.due_date.isoformat() if record.due_date else None,
            "updatedAt": record.updated_utc.isoformat() if record.updated_utc else None,
        },
    }
