"""What each condition sees, from the mirror, the health checks and the feed of record changes
only (never a call to Xero).

A state condition gives the situations that hold now in an organisation (or for a client),
each with a key: an episode lasts while its key keeps appearing. An event condition matches
record changes one by one: each match is an episode of its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from xeroadmin.alerts.models import RecordChange, Rule
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.connections.models import Grant, Tenant
from xeroadmin.lib.money import money
from xeroadmin.portfolio import checks
from xeroadmin.portfolio.dashboard import open_findings
from xeroadmin.tenancy.models import Client

GRANT_WARNINGS = (2, 7)  # days before it expires, most urgent first
TENANT_STATES = (
    "needs_reconnect",
    "grant_expiry",
    "webhooks_failing",
    "sync_stalled",
    "overdue",
    "bill_awaiting",
)
CLIENT_STATES = ("health_below",)
EVENTS = ("invoice_created", "invoice_approved", "invoice_voided", "bank_details")


@dataclass(frozen=True)
class Situation:
    key: str
    summary: str
    url: str


def tenant_situations(rule: Rule, tenant: Tenant, now: datetime) -> list[Situation]:
    """What of the rule's (state) condition holds in the organisation now."""
    ws, condition = tenant.workspace_id, rule.condition
    home = reverse("books:organisation-home", args=[ws, tenant.pk])
    if condition == "needs_reconnect":
        if not tenant.needs_attention:
            return []
        words = (
            "was disconnected in Xero"
            if tenant.status == Tenant.Status.REMOVED_IN_XERO
            else "needs reconnecting to Xero"
        )
        url = reverse("connections:tenant-list", args=[ws])
        return [Situation("connection", f"{tenant.name} {words}", url)]
    if condition == "grant_expiry":
        return _grant_expiry(tenant, now, home)
    if condition == "webhooks_failing":
        failed = checks.webhook_failures(tenant, now)["count"]
        if not failed:
            return []
        url = reverse("webhooks:delivery-list", args=[ws])
        noun = "event" if failed == 1 else "events"
        return [
            Situation(
                "webhooks",
                f"{tenant.name}: {failed} webhook {noun} from Xero could not be processed",
                url,
            )
        ]
    if condition == "sync_stalled":
        if not checks.sync_stale(tenant, now):
            return []
        synced = tenant.last_synced_at
        when = f"last synced {synced:%d %b %Y %H:%M} UTC" if synced else "never synced"
        return [Situation("sync", f"{tenant.name}: sync has stalled ({when})", home)]
    if condition == "overdue":
        return _overdue(rule, tenant, now)
    if condition == "bill_awaiting":
        bills = Invoice.objects.filter(tenant=tenant, type=Invoice.Type.BILL, status="SUBMITTED")
        return [
            Situation(
                f"bill:{xero_id}",
                f"Bill {number or ''} from {contact} ({money(total, currency)}) is waiting "
                f"for approval in {tenant.name}".replace("  ", " "),
                reverse("books:invoice-detail", args=[ws, tenant.pk, pk]),
            )
            for pk, xero_id, number, contact, total, currency in bills.values_list(
                "pk", "xero_id", "number", "contact_name", "total", "currency_code"
            )
        ]
    return []


def _grant_expiry(tenant: Tenant, now: datetime, url: str) -> list[Situation]:
    grant = tenant.grant
    if grant is None or grant.kind != Grant.Kind.OAUTH or not tenant.is_connected:
        return []
    used = grant.last_refreshed_at or grant.created_at
    left = used + Grant.REFRESH_LIFE - now
    for days in GRANT_WARNINGS:
        if left <= timedelta(days=days):
            remaining = max(left.days, 0)
            return [
                Situation(
                    f"grant:{days}",
                    f"{tenant.name}: its Xero sign-in expires in {remaining} "
                    f"day{'s' if remaining != 1 else ''} unless it is used",
                    url,
                )
            ]
    return []


def _overdue(rule: Rule, tenant: Tenant, now: datetime) -> list[Situation]:
    days = rule.days if rule.days is not None else 30
    today = timezone.localdate(now)
    invoices = Invoice.objects.filter(
        tenant=tenant,
        type=Invoice.Type.SALES,
        status="AUTHORISED",
        due_date__lt=today - timedelta(days=days),
        amount_due__gte=rule.amount if rule.amount is not None else Decimal("0.01"),
    )
    found = []
    for pk, xero_id, number, contact, due, owing, currency in invoices.values_list(
        "pk", "xero_id", "number", "contact_name", "due_date", "amount_due", "currency_code"
    ):
        late = (today - due).days if due else 0
        found.append(
            Situation(
                f"overdue:{xero_id}",
                f"{number} for {contact} in {tenant.name}: {money(owing, currency)} overdue by "
                f"{late} days",
                reverse("books:invoice-detail", args=[tenant.workspace_id, tenant.pk, pk]),
            )
        )
    return found


def client_situations(rule: Rule, clients: list[Client]) -> dict[int, list[Situation]]:
    """{client pk: what holds} for a client condition: today, a health score below a level
    (the mean of the client's organisations' scores, as the dashboard shows it)."""
    if rule.condition != "health_below" or not clients:
        return {}
    level = rule.level if rule.level is not None else 60
    tenants = list(Tenant.objects.filter(client__in=clients).only("pk", "client_id"))
    weight = checks.weights(checks.settings_for(rule.workspace_id))
    kinds: dict[int, list[str]] = defaultdict(list)
    for tenant_pk, kind in open_findings(tenants):
        kinds[tenant_pk].append(kind)
    scores: dict[int, list[int]] = defaultdict(list)
    for tenant in tenants:
        assert tenant.client_id is not None
        scores[tenant.client_id].append(checks.score(kinds[tenant.pk], weight))
    found: dict[int, list[Situation]] = {}
    for client in clients:
        if not scores.get(client.pk):
            continue
        mean = round(sum(scores[client.pk]) / len(scores[client.pk]))
        if mean < level:
            url = reverse("tenancy:client-detail", args=[client.workspace_id, client.pk])
            found[client.pk] = [
                Situation("health", f"{client.name}'s health score is {mean}, below {level}", url)
            ]
    return found


def event_matches(rule: Rule, change: RecordChange, record: Invoice | Contact | None) -> bool:
    """Whether a record change is an instance of the rule's event condition."""
    condition = rule.condition
    if condition == "bank_details":
        return change.kind == "contact" and change.bank_changed
    if change.kind != "invoice" or not isinstance(record, Invoice):
        return False
    if rule.amount is not None and record.total < rule.amount:
        return False
    if condition == "invoice_created":
        return change.created
    if condition == "invoice_approved":
        return change.status_to == "AUTHORISED" and change.status_from not in (
            "AUTHORISED",
            "PAID",
        )
    if condition == "invoice_voided":
        return change.status_to in ("VOIDED", "DELETED") and change.status_from != change.status_to
    return False


def event_words(rule: Rule, change: RecordChange, record: Invoice | Contact, tenant: Tenant) -> str:
    """The alert of a matched event, in words."""
    if isinstance(record, Contact):
        return f"The bank details of {record.name} changed in {tenant.name}"
    what = "Bill" if record.type == Invoice.Type.BILL else "Invoice"
    name = f"{what} {record.number}" if record.number else f"A draft {what.lower()}"
    party = f"{'from' if what == 'Bill' else 'for'} {record.contact_name}"
    amount = money(record.total, record.currency_code)
    verb = {
        "invoice_created": "was created",
        "invoice_approved": "was approved",
        "invoice_voided": "was voided" if change.status_to == "VOIDED" else "was deleted",
    }[rule.condition]
    return f"{name} {party} ({amount}) {verb} in {tenant.name}"


def record_url(change: RecordChange, tenant: Tenant) -> str:
    name = "books:contact-detail" if change.kind == "contact" else "books:invoice-detail"
    return reverse(name, args=[tenant.workspace_id, tenant.pk, change.record_pk])
