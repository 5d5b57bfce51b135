"""Processing a webhook delivery: a durable job per delivery (claim, heartbeat, sweeper),
idempotent per event. The same event twice is stored once, and an event's activity is written
in the same transaction that marks it done, with the mirror update it describes."""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.books import mirror
from xeroadmin.books.kinds import BY_WEBHOOK
from xeroadmin.books.kinds import Kind as DocumentKind
from xeroadmin.books.mirror_documents import documents_upsert
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.webhooks import describe
from xeroadmin.webhooks.models import WebhookDelivery, WebhookEvent
from xeroadmin.webhooks.receiving import HANDOFF_BATCH, enqueue
from xeroadmin.xero.client import XeroClient
from xeroadmin.xero.dates import parse_datetime
from xeroadmin.xero.errors import XeroError, XeroNotFound

logger = logging.getLogger(__name__)

STALE = timedelta(minutes=5)  # a claim this old belongs to a worker that died
MAX_ATTEMPTS = 8
REQUIRED = ("resourceId", "eventCategory", "eventType", "tenantId")
IDS_PER_CALL = 50
CLOCK_SKEW = timedelta(seconds=30)


class InvalidPayload(ValueError):
    """Signed, but not the shape of Xero's webhook payload."""


def delivery_process(*, delivery_id: int) -> WebhookDelivery | None:
    """Process (or resume) one delivery. None when it is not due or another worker has it."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=WebhookDelivery.Status.RECEIVED)
            | Q(status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=now)
            | Q(status=WebhookDelivery.Status.PROCESSING, claimed_at__lt=now - STALE)
        )
        .update(
            status=WebhookDelivery.Status.PROCESSING, claimed_at=now, attempts=F("attempts") + 1
        )
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("app").get(pk=delivery_id)
    try:
        events = parse(bytes(delivery.body))
    except InvalidPayload as error:
        return _finish(delivery, WebhookDelivery.Status.INVALID, str(error))
    _webhooks_seen(delivery)
    _route(delivery, events)
    errors = _process_pending(delivery)
    if not errors:
        return _finish(delivery, WebhookDelivery.Status.DONE, "")
    message = "; ".join(sorted(set(errors)))[:2000]
    if delivery.attempts >= MAX_ATTEMPTS:
        WebhookEvent.objects.filter(delivery=delivery, status=WebhookEvent.Status.PENDING).update(
            status=WebhookEvent.Status.FAILED
        )
        return _finish(delivery, WebhookDelivery.Status.FAILED, message)
    # Back off: 30 s, 1 min, 2 min ... capped at an hour, with jitter.
    delay = min(30 * 2 ** (delivery.attempts - 1), 3600) * random.uniform(0.8, 1.2)
    due = timezone.now() + timedelta(seconds=delay)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.RETRYING, next_attempt_at=due, error=message
    )
    transaction.on_commit(lambda: enqueue([delivery.pk], countdown=delay))
    delivery.refresh_from_db()
    return delivery


def _webhooks_seen(delivery: WebhookDelivery) -> None:
    """A signed delivery in Xero's shape proves the app's subscription works: mark its
    organisations' webhooks healthy (at most once a minute, so bursts cost one write)."""
    now = timezone.now()
    tenants = (
        Tenant.objects.filter(grant__app=delivery.app)
        if delivery.app is not None
        else Tenant.objects.filter(grant__app__isnull=True)
    )
    tenants.filter(
        Q(webhooks_seen_at__isnull=True) | Q(webhooks_seen_at__lt=now - timedelta(minutes=1))
    ).update(webhooks_seen_at=now)


def _finish(delivery: WebhookDelivery, status: str, error: str) -> WebhookDelivery:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error, processed_at=timezone.now(), next_attempt_at=None
    )
    delivery.refresh_from_db()
    return delivery


def delivery_sweep() -> int:
    """Queue deliveries a worker never took, whose retry is due, or whose worker died."""
    now = timezone.now()
    lost = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.RECEIVED, received_at__lt=now - timedelta(seconds=30))
        | Q(status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=now)
        | Q(status=WebhookDelivery.Status.PROCESSING, claimed_at__lt=now - STALE)
    ).values_list("pk", flat=True)[:500]
    found = list(lost)
    for start in range(0, len(found), HANDOFF_BATCH):
        enqueue(found[start : start + HANDOFF_BATCH])
    return len(found)


def delivery_retry(*, delivery: WebhookDelivery, workspace_id: int) -> int:
    """An admin's retry: the workspace's failed events of this delivery are tried again."""
    reopened = WebhookEvent.objects.filter(
        delivery=delivery, workspace_id=workspace_id, status=WebhookEvent.Status.FAILED
    ).update(status=WebhookEvent.Status.PENDING, note="")
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
        status=WebhookDelivery.Status.PROCESSING
    ).update(status=WebhookDelivery.Status.RETRYING, next_attempt_at=timezone.now(), attempts=0)
    transaction.on_commit(lambda: enqueue([delivery.pk]))
    return reopened


def parse(body: bytes) -> list[dict[str, Any]]:
    """The events of a payload, each checked for the fields we use."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise InvalidPayload("The body is not JSON.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise InvalidPayload("The body has no list of events.")
    events = []
    for index, event in enumerate(payload["events"]):
        if not isinstance(event, dict) or not all(
            isinstance(event.get(k), str) and event.get(k) for k in REQUIRED
        ):
            raise InvalidPayload(f"Event {index + 1} lacks {', '.join(REQUIRED)}.")
        events.append(event)
    return events


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _route(delivery: WebhookDelivery, events: list[dict[str, Any]]) -> None:
    """One event row per organisation it reaches here (or one "unrouted"); duplicates of
    events already stored, from this delivery or an earlier one, are not stored again."""
    app = delivery.app
    scope = app.pk if app is not None else "default"
    ids = {str(e["tenantId"]).lower() for e in events}
    tenants = Tenant.objects.filter(tenant_id__in=ids)
    tenants = (
        tenants.filter(grant__app=app)
        if app is not None
        else tenants.filter(grant__app__isnull=True)
    )
    by_id: dict[str, list[Tenant]] = defaultdict(list)
    for tenant in tenants.only("pk", "workspace_id", "tenant_id"):
        by_id[tenant.tenant_id.lower()].append(tenant)
    own_workspace = app.workspace_id if app is not None else None
    rows = []
    for event in events:
        tenant_id = str(event["tenantId"]).lower()
        category = str(event["eventCategory"]).upper()[:20]
        base = {
            "delivery": delivery,
            "xero_tenant_id": tenant_id[:64],
            "category": category,
            "event_type": str(event["eventType"]).upper()[:10],
            "resource_id": str(event["resourceId"]).lower()[:64],
            "event_date": _event_date(event.get("eventDateUtc")),
            "data": event.get("data") if isinstance(event.get("data"), dict) else {},
        }
        identity = (
            scope, tenant_id, category, base["event_type"], base["resource_id"],
            event.get("eventDateUtc"),
        )  # fmt: skip
        if category == "SUBSCRIPTION" or event.get("tenantType") == "APPLICATION":
            status = WebhookEvent.Status.PENDING if own_workspace else WebhookEvent.Status.SKIPPED
            rows.append(
                WebhookEvent(
                    **base,
                    workspace_id=own_workspace,
                    key=_key(*identity, "app"),
                    status=status,
                    note="" if own_workspace else "About the deployment's app, not a workspace's.",
                )
            )
            continue
        reached = by_id.get(tenant_id)
        if not reached:
            rows.append(
                WebhookEvent(
                    **base,
                    workspace_id=own_workspace,
                    key=_key(*identity, "-"),
                    status=WebhookEvent.Status.UNROUTED,
                    note="No organisation with this tenant id is connected here.",
                    processed_at=timezone.now(),
                )
            )
            continue
        for tenant in reached:
            rows.append(
                WebhookEvent(
                    **base,
                    workspace_id=tenant.workspace_id,
                    tenant_id=tenant.pk,
                    key=_key(*identity, tenant.pk),
                )
            )
    WebhookEvent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    stored = WebhookEvent.objects.filter(delivery=delivery).count()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        events=len(events), duplicates=max(len(rows) - stored, 0)
    )


def _event_date(value: Any) -> datetime | None:
    try:
        return parse_datetime(str(value)) if value else None
    except (ValueError, TypeError, OverflowError):
        return None


def _process_pending(delivery: WebhookDelivery) -> list[str]:
    """Process the delivery's pending events, a group (organisation and kind) at a time.
    Returns the errors of the groups left pending for a retry."""
    pending = (
        WebhookEvent.objects.filter(delivery=delivery, status=WebhookEvent.Status.PENDING)
        .select_related("tenant", "tenant__workspace", "tenant__grant")
        .order_by("event_date", "pk")
    )
    groups: dict[tuple[int | None, str], list[WebhookEvent]] = defaultdict(list)
    for event in pending:
        groups[(event.tenant_id, event.category)].append(event)
    errors = []
    # Contacts first (an invoice for a contact created in the same breath then links to it),
    # then invoices (a credit allocated to one then names it).
    rank = {"CONTACT": 0, "INVOICE": 1}
    ordered = sorted(groups.items(), key=lambda group: rank.get(group[0][1], 2))
    for (_, category), events in ordered:
        try:
            _process_group(delivery, category, events)
        except XeroError as error:
            errors.append(str(error))
            WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).update(note=str(error)[:255])
        # The heartbeat: this worker is alive.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now())
    return errors


def _process_group(delivery: WebhookDelivery, category: str, events: list[WebhookEvent]) -> None:
    tenant = events[0].tenant
    if tenant is None:  # a subscription event for the workspace's own app
        for event in events:
            app = delivery.app.name if delivery.app else "the app"
            summary = f"Xero subscription event for {app}: {event.event_type.lower()}"
            _settle(
                event, summary=summary, workspace_id=event.workspace_id, category="subscription"
            )
        return
    if not tenant.is_connected or tenant.grant_id is None:
        note = f"{tenant.name} is not connected here, so it was not fetched."
        _mark(events, WebhookEvent.Status.SKIPPED, note)
        return
    if category in RECORDS:
        _apply_records(tenant, RECORDS[category], events)
    elif category in BY_WEBHOOK:
        _apply_credit(tenant, BY_WEBHOOK[category], events)
    else:
        # A kind this version does not fetch: still in the feed.
        for event in events:
            kind = category.lower().replace("_", " ")
            summary = f"A {kind} was {_verb(event)} in Xero"
            _settle(event, summary=summary, tenant=tenant, category=category.lower())


@dataclass(frozen=True)
class Kind:
    model: type[Invoice] | type[Contact]
    resource: str
    id_field: str
    upsert: Callable[[Tenant, Iterable[dict[str, Any]]], Any]
    summary: Callable[[Any, Any, str], tuple[str, list[str]]]
    category: str
    params: tuple[tuple[str, str], ...] = ()


RECORDS = {
    "INVOICE": Kind(
        Invoice, "Invoices", "InvoiceID", mirror.invoices_upsert, describe.invoice_summary,
        "invoice",
    ),
    "CONTACT": Kind(
        Contact, "Contacts", "ContactID", mirror.contacts_upsert, describe.contact_summary,
        "contact", (("includeArchived", "true"),),
    ),
}  # fmt: skip


def _verb(event: WebhookEvent) -> str:
    return "created" if event.event_type == "CREATE" else "updated"


def _apply_records(tenant: Tenant, kind: Kind, events: list[WebhookEvent]) -> None:
    ids = list(dict.fromkeys(e.resource_id for e in events))
    before = describe.snapshots(kind.model, tenant.pk, ids)
    # An event no newer than our copy, or than our last read of it, changed nothing we lack
    # (our own edits come back so, and so do replays).
    newest: dict[str, datetime] = {}
    undated = set()
    for event in events:
        rid, when = event.resource_id, event.event_date
        if when is None:
            undated.add(rid)
        elif rid not in newest or when > newest[rid]:
            newest[rid] = when
    wanted = [i for i in ids if i not in before or i in undated or _newer(newest[i], before[i])]
    fetched = _fetch(tenant_client(tenant), kind, wanted)
    # Never roll back: a copy older than ours is not written.
    fresh = [
        r
        for r in fetched.values()
        if (mine := before.get(str(r.get(kind.id_field, "")).lower())) is None
        or mine["updated_utc"] is None
        or (stamp := _event_date(r.get("UpdatedDateUTC"))) is None
        or stamp >= mine["updated_utc"]
    ]
    with transaction.atomic():
        kind.upsert(tenant, fresh)
        after = describe.snapshots(kind.model, tenant.pk, ids)
        described: set[str] = set()
        for event in events:
            rid = event.resource_id
            if rid not in wanted:
                _mark([event], WebhookEvent.Status.CURRENT, "Our copy was already this new.")
                continue
            if rid not in fetched:
                _mark([event], WebhookEvent.Status.SKIPPED, "Xero did not return this record.")
                continue
            if rid in described or rid not in after:
                _mark([event], WebhookEvent.Status.CURRENT, "No change from our copy.")
                continue
            summary, changes = kind.summary(before.get(rid), after[rid], _verb(event))
            if not changes:
                _mark([event], WebhookEvent.Status.CURRENT, "No change from our copy.")
                continue
            described.add(rid)
            _settle(
                event,
                summary=summary,
                tenant=tenant,
                category=kind.category,
                data={
                    "record": rid,
                    "type": kind.category,
                    "pk": after[rid]["pk"],
                    "changes": changes,
                },
            )


def _newer(when: datetime, mine: describe.Snapshot) -> bool:
    """Whether an event at `when` may hold a change our copy lacks. Xero's clock and ours
    differ a little, so a read counts only for events well before it."""
    if mine["updated_utc"] is not None and when <= mine["updated_utc"]:
        return False
    return mine["synced_at"] is None or when > mine["synced_at"] - CLOCK_SKEW


def _fetch(client: XeroClient, kind: Kind, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[start : start + IDS_PER_CALL]
        params = {"IDs": ",".join(chunk), "page": "1", **dict(kind.params)}
        body = client.get(kind.resource, params) or {}
        for record in body.get(kind.resource) or []:
            if isinstance(record, dict) and record.get(kind.id_field):
                found[str(record[kind.id_field]).lower()] = record
    return found


def _apply_credit(tenant: Tenant, kind: DocumentKind, events: list[WebhookEvent]) -> None:
    """Credit notes, prepayments and overpayments: each read from Xero into the mirror, its
    allocations too, and said in the feed (an allocation by the invoice it settled)."""
    client = tenant_client(tenant)
    ids = list(dict.fromkeys(e.resource_id for e in events))
    before = describe.credit_snapshots(tenant.pk, ids)
    records: dict[str, dict[str, Any] | None] = {}
    for rid in ids:
        try:
            body = client.get(f"{kind.resource}/{rid}") or {}
            found = body.get(kind.resource) or [None]
            records[rid] = found[0] if isinstance(found[0], dict) else None
        except XeroNotFound:
            records[rid] = None
    with transaction.atomic():
        documents_upsert(tenant, kind, [r for r in records.values() if r])
        after = describe.credit_snapshots(tenant.pk, ids)
        for event in events:
            rid = event.resource_id
            summary = describe.credit_summary(
                kind.singular,
                records.get(rid),
                before.get(rid),
                after.get(rid),
                event,
                _verb(event),
            )
            category = kind.webhook.lower()
            _settle(
                event,
                summary=summary,
                tenant=tenant,
                category=category,
                data={"record": rid, "type": category, **(event.data or {})},
            )


def _mark(events: list[WebhookEvent], status: str, note: str) -> None:
    WebhookEvent.objects.filter(
        pk__in=[e.pk for e in events], status=WebhookEvent.Status.PENDING
    ).update(status=status, note=note, processed_at=timezone.now())


def _settle(
    event: WebhookEvent,
    *,
    summary: str,
    category: str,
    tenant: Tenant | None = None,
    workspace_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The event's activity entry and its "done", in one transaction: both or neither. An
    event another worker settled first is left alone."""
    workspace = tenant.workspace_id if tenant is not None else workspace_id
    assert workspace is not None
    with transaction.atomic():
        taken = WebhookEvent.objects.filter(pk=event.pk, status=WebhookEvent.Status.PENDING).update(
            status=WebhookEvent.Status.DONE, processed_at=timezone.now()
        )
        if not taken:
            return
        entry = activity_record(
            workspace=workspace,
            tenant=tenant,
            source=ActivityEvent.Source.WEBHOOK,
            category=category,
            action=_verb(event),
            summary=summary,
            data={**(data or {}), "event": event.pk},
        )
        WebhookEvent.objects.filter(pk=event.pk).update(activity=entry)
