"""Data-health checks: what in an organisation's mirrored books or connection needs someone,
worked out from the mirror alone (never a call to Xero), kept as `Finding` rows.

`run(tenant)` works out every check for one organisation (after its sync or webhook batch;
nightly for all) and reconciles the findings: new ones open; ones no longer found resolve; a
dismissed one reopens only when what it was worked out from (`inputs`) has changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from xeroadmin.books.models import Contact, Invoice
from xeroadmin.books.sync import WEBHOOKS_HEALTHY
from xeroadmin.connections.models import Grant, Tenant
from xeroadmin.lib.money import money
from xeroadmin.portfolio.models import KINDS, CheckSettings, Finding
from xeroadmin.webhooks.models import WebhookEvent

GRANT_WARNING = Grant.REFRESH_LIFE - timedelta(days=10)
FAILING_WINDOW = timedelta(days=1)  # webhook events that failed (every retry) this recently
LEGAL_ENDINGS = {"ltd", "limited", "pty", "inc", "incorporated", "llc", "co", "company", "plc"}


@dataclass(frozen=True)
class Found:
    kind: str
    subject: str
    summary: str
    url: str
    inputs: str


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def normalised(name: str, strictness: str = CheckSettings.Strictness.EXACT) -> str:
    """A contact's name as the duplicate check compares it: case, accents and punctuation
    gone, "&" as "and", "Limited" as "Ltd", no leading "The"; loosely, no legal endings."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = ["ltd" if w == "limited" else w for w in words]
    if words[:1] == ["the"]:
        words = words[1:]
    if strictness == CheckSettings.Strictness.LOOSE:
        words = [w for w in words if w not in LEGAL_ENDINGS] or words
    return " ".join(words)


def sync_stale(tenant: Tenant, now: datetime) -> bool:
    """Connected, and not synced for twice the sync interval (or never)."""
    synced = tenant.last_synced_at
    interval = timedelta(minutes=2 * settings.SYNC_INTERVAL_MINUTES)
    return tenant.is_connected and (synced is None or synced < now - interval)


def settings_for(workspace_id: int) -> CheckSettings:
    found = CheckSettings.objects.filter(workspace_id=workspace_id).first()
    return found or CheckSettings(workspace_id=workspace_id)


def find(tenant: Tenant, rules: CheckSettings) -> Iterator[Found]:
    """Every finding of every check for one organisation."""
    yield from _connection(tenant)
    yield from _invoices(tenant, rules)
    yield from _contacts(tenant, rules)


def _connection(tenant: Tenant) -> Iterator[Found]:
    now = timezone.now()
    ws = tenant.workspace_id
    url = reverse("connections:tenant-detail", args=[ws, tenant.pk])
    if tenant.status in (Tenant.Status.NEEDS_RECONNECT, Tenant.Status.REMOVED_IN_XERO):
        words = tenant.get_status_display().lower()
        yield Found("needs_reconnect", "connection", f"{tenant.name}: {words}", url, tenant.status)
        return
    if tenant.status != Tenant.Status.CONNECTED:
        return
    synced = tenant.last_synced_at
    if sync_stale(tenant, now):
        when = f"last synced {synced:%d %b %Y %H:%M}" if synced else "never synced"
        yield Found("sync_stale", "sync", f"{tenant.name}: {when}", url, "")
    seen = tenant.webhooks_seen_at
    if seen is not None and seen < now - WEBHOOKS_HEALTHY:
        yield Found(
            "webhooks_quiet",
            "webhooks",
            f"{tenant.name}: no webhook from Xero since {seen:%d %b %Y}",
            url,
            seen.isoformat(),
        )
    yield from _webhooks_failing(tenant, now, url)
    grant = tenant.grant
    used = grant and (grant.last_refreshed_at or grant.created_at)
    if used and used < now - GRANT_WARNING:
        days = Grant.REFRESH_LIFE.days - (now - used).days
        yield Found(
            "grant_idle",
            "grant",
            f"{tenant.name}: its Xero sign-in expires in {max(days, 0)} days unless used",
            url,
            used.isoformat(),
        )


def _webhooks_failing(tenant: Tenant, now: datetime, url: str) -> Iterator[Found]:
    """Events Xero sent for the organisation that could not be processed after every retry
    (a record that no longer reads back, a refused token): its mirror misses those changes."""
    failed = webhook_failures(tenant, now)
    count = failed["count"]
    if count:
        yield Found(
            "webhooks_failing",
            "webhooks-failing",
            f"{tenant.name}: {count} webhook event{'s' if count != 1 else ''} from Xero "
            "could not be processed in the last day",
            reverse("webhooks:delivery-list", args=[tenant.workspace_id]),
            str(failed["last"]),  # a new failure brings a dismissed finding back
        )


def webhook_failures(tenant: Tenant, now: datetime) -> dict[str, Any]:
    """How many of the organisation's webhook events failed every retry in the last day, and
    the last of them."""
    return WebhookEvent.objects.filter(
        tenant=tenant,
        status=WebhookEvent.Status.FAILED,
        delivery__received_at__gte=now - FAILING_WINDOW,
    ).aggregate(count=Count("pk"), last=Max("pk"))


def _invoices(tenant: Tenant, rules: CheckSettings) -> Iterator[Found]:
    today = timezone.localdate()
    ws, currency = tenant.workspace_id, tenant.base_currency
    invoices = Invoice.objects.filter(tenant=tenant).order_by()

    def url(pk: int) -> str:
        return reverse("books:invoice-detail", args=[ws, tenant.pk, pk])

    drafts = invoices.filter(status="DRAFT", date__lt=today - timedelta(days=rules.draft_days))
    for pk, xero_id, number, contact, day, updated in drafts.values_list(
        "pk", "xero_id", "number", "contact_name", "date", "updated_utc"
    ):
        age = (today - day).days if day else 0
        words = f"Draft {number or ''} for {contact} has waited {age} days".replace("  ", " ")
        yield Found("stale_draft", xero_id, words, url(pk), fingerprint(updated))
    overdue = invoices.filter(
        type=Invoice.Type.SALES,
        status="AUTHORISED",
        due_date__lt=today - timedelta(days=rules.overdue_days),
        amount_due__gte=rules.overdue_amount,
    )
    for pk, xero_id, number, contact, due, amount, code in overdue.values_list(
        "pk", "xero_id", "number", "contact_name", "due_date", "amount_due", "currency_code"
    ):
        words = (
            f"{number} for {contact}: {money(amount, code)} overdue by "
            f"{(today - due).days if due else 0} days"
        )
        yield Found("long_overdue", xero_id, words, url(pk), fingerprint(amount, due))
    big = invoices.filter(
        type=Invoice.Type.BILL,
        status__in=("AUTHORISED", "PAID"),
        total__gte=rules.attachment_amount,
        has_attachments=False,
    )
    for pk, xero_id, number, contact, total, code in big.values_list(
        "pk", "xero_id", "number", "contact_name", "total", "currency_code"
    ):
        words = f"Bill {number or ''} from {contact} ({money(total, code)}) has no attachment"
        yield Found("bill_no_attachment", xero_id, " ".join(words.split()), url(pk), "")
    yield from _duplicate_bills(invoices, rules, url, currency)


def _duplicate_bills(
    invoices: Any, rules: CheckSettings, url: Any, currency: str
) -> Iterator[Found]:
    bills = invoices.filter(type=Invoice.Type.BILL).exclude(status__in=("VOIDED", "DELETED"))
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for row in bills.values_list(
        "pk", "xero_id", "number", "reference", "contact_xero_id", "contact_name", "total", "date"
    ):
        groups[(row[4], row[6])].append(row)
    window = timedelta(days=rules.duplicate_bill_days)
    for rows in groups.values():
        for first, second in combinations(sorted(rows, key=lambda r: (r[7], r[0])), 2):
            same_reference = (
                bool(first[3]) and first[3].strip().lower() == second[3].strip().lower()
            )
            close = abs(first[7] - second[7]) <= window
            if not (same_reference or close):
                continue
            why = f"the same reference {first[3]}" if same_reference else "dated days apart"
            words = (
                f"Bills {first[2] or 'draft'} and {second[2] or 'draft'} from {first[5]}: "
                f"{money(first[6], currency)} each, {why}"
            )
            subject = "|".join(sorted((first[1], second[1])))
            yield Found(
                "duplicate_bill", subject, words, url(first[0]), fingerprint(first[3], second[3])
            )


def _contacts(tenant: Tenant, rules: CheckSettings) -> Iterator[Found]:
    ws = tenant.workspace_id
    active = Contact.objects.filter(tenant=tenant, status="ACTIVE")

    def url(pk: int) -> str:
        return reverse("books:contact-detail", args=[ws, tenant.pk, pk])

    owing = (
        Invoice.objects.filter(tenant=tenant, type=Invoice.Type.SALES, status="AUTHORISED")
        .order_by()
        .values("contact_id")
        .annotate(owed=Sum("amount_due"))
        .filter(owed__gt=0)
    )
    owed = {row["contact_id"]: row["owed"] for row in owing}
    silent = active.filter(pk__in=list(owed)).filter(Q(email="") | Q(email__isnull=True))
    for pk, xero_id, name in silent.values_list("pk", "xero_id", "name"):
        words = f"{name} owes {money(owed[pk], tenant.base_currency)} and has no e-mail address"
        yield Found("no_email", xero_id, words, url(pk), fingerprint(owed[pk]))
    by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, xero_id, name in active.values_list("pk", "xero_id", "name"):
        key = normalised(name, rules.strictness)
        if key:
            by_name[key].append((pk, xero_id, name))
    for same in by_name.values():
        if len(same) < 2:
            continue
        same.sort(key=lambda c: c[1])
        names = " and ".join(f"“{name}”" for _, _, name in same)
        subject = "|".join(xero_id for _, xero_id, _ in same)
        yield Found(
            "duplicate_contact",
            subject[:200],
            f"{names} look like the same contact",
            url(same[0][0]),
            fingerprint([name for _, _, name in same]),
        )


@transaction.atomic
def run(tenant: Tenant, rules: CheckSettings | None = None) -> dict[str, int]:
    """Work out every check for one organisation and reconcile its findings; returns how
    many were opened, reopened and resolved."""
    rules = rules or settings_for(tenant.workspace_id)
    found = {(f.kind, f.subject): f for f in find(tenant, rules)}
    existing = {(f.kind, f.subject): f for f in Finding.objects.filter(tenant=tenant)}
    counts = {"opened": 0, "reopened": 0, "resolved": 0}
    new = []
    for key, item in found.items():
        finding = existing.get(key)
        if finding is None:
            new.append(
                Finding(
                    workspace_id=tenant.workspace_id,
                    tenant=tenant,
                    kind=item.kind,
                    subject=item.subject,
                    summary=item.summary,
                    url=item.url,
                    inputs=item.inputs,
                )
            )
            counts["opened"] += 1
            continue
        reopen = finding.state == Finding.State.RESOLVED or (
            finding.state == Finding.State.DISMISSED and finding.inputs != item.inputs
        )
        if reopen:
            finding.state, finding.reason, finding.snoozed_until = Finding.State.OPEN, "", None
            counts["reopened"] += 1
        if reopen or (finding.summary, finding.url, finding.inputs) != (
            item.summary,
            item.url,
            item.inputs,
        ):
            finding.summary, finding.url, finding.inputs = item.summary, item.url, item.inputs
            finding.save()
    Finding.objects.bulk_create(new)
    gone = [
        f.pk
        for key, f in existing.items()
        if key not in found and f.state in (Finding.State.OPEN, Finding.State.SNOOZED)
    ]
    if gone:
        Finding.objects.filter(pk__in=gone).update(
            state=Finding.State.RESOLVED, changed_at=timezone.now()
        )
        counts["resolved"] = len(gone)
    return counts


def weights(rules: CheckSettings) -> dict[str, int]:
    return {kind: int(rules.weights.get(kind, default)) for kind, (_, default) in KINDS.items()}


def score(kinds: list[str], weight: dict[str, int]) -> int:
    """A health score from 100 down: each open finding takes off its kind's weight."""
    return max(0, 100 - sum(weight.get(kind, 0) for kind in kinds))
