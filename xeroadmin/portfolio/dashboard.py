"""The portfolio: every organisation the member may see, one row each, grouped by client, with
its connection and sync state, its money (from `figures`) and why it needs attention; sorted and
filtered by what is in the URL. Computed from the mirror alone: no call to Xero."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Max, Q
from django.utils import timezone

from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.access import organisation_list
from xeroadmin.books.selectors import AGEING
from xeroadmin.books.sync import WEBHOOKS_HEALTHY
from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio.checks import score, settings_for, sync_stale, weights
from xeroadmin.portfolio.figures import ZERO, Figures, figures
from xeroadmin.portfolio.models import KINDS, Finding
from xeroadmin.tenancy.access import visible_clients
from xeroadmin.tenancy.models import Membership

PAGE_SIZE = 50
# What a row shows of an organisation (only these are read: 200 whole rows cost more).
TENANT_FIELDS = (
    "name",
    "status",
    "base_currency",
    "last_synced_at",
    "webhooks_seen_at",
    "client__name",
    "workspace_id",
)
OVERDUE_ATTENTION_DAYS = 90


# Sortable columns: the URL's name -> how a row sorts by it (None last).
def _bucket(key: str) -> Callable[[Row], Any]:
    return lambda row: row.figures.ageing[key]


COLUMNS: dict[str, Callable[[Row], Any]] = {
    "name": lambda r: r.tenant.name.lower(),
    "client": lambda r: (r.client_name.lower(), r.tenant.name.lower()),
    "receivable": lambda r: r.figures.receivable,
    "overdue": lambda r: r.figures.overdue,
    **{f"age-{key}": _bucket(key) for key, *_ in AGEING},
    "payable": lambda r: r.figures.payable,
    "payable-overdue": lambda r: r.figures.payable_overdue,
    "drafts": lambda r: r.figures.drafts,
    "approval": lambda r: r.figures.approval,
    "oldest": lambda r: r.oldest_days,
    "health": lambda r: r.score,
    "activity": lambda r: r.last_activity,
    "synced": lambda r: r.tenant.last_synced_at,
}
STATUSES = (
    ("", "Every status"),
    ("connected", "Connected"),
    ("reconnect", "Needs reconnecting"),
    ("disconnected", "Disconnected"),
)


class DashboardFilters(forms.Form):
    """The dashboard's state, all in the URL; a malformed value is dropped, never a 500."""

    client = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Client")
    member = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Member")
    status = forms.ChoiceField(required=False, choices=STATUSES, label="Status")
    attention = forms.BooleanField(required=False, label="Needs attention")
    as_of = forms.DateField(
        required=False,
        label="Aged as of",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    sort = forms.ChoiceField(
        required=False, choices=[(s + k, k) for k in COLUMNS for s in ("", "-")]
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = visible_clients(membership).order_by("name").values_list("pk", "name")
        client = self.fields["client"]
        assert isinstance(client, forms.ChoiceField)
        client.choices = [("", "Every client"), *clients]
        member = self.fields["member"]
        assert isinstance(member, forms.ChoiceField)
        if membership.can_admin:
            limited = (
                Membership.objects.filter(workspace_id=membership.workspace_id, limited=True)
                .select_related("user")
                .order_by("user__email")
            )
            member.choices = [("", "Every member"), *((m.pk, m.user.email) for m in limited)]
        else:
            del self.fields["member"]

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields}


@dataclass
class Row:
    tenant: Tenant
    figures: Figures
    as_of: date
    last_activity: datetime | None
    reasons: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # the kinds of its open findings
    score: int = 100  # its health score, from its open findings

    @property
    def client_name(self) -> str:
        return self.tenant.client.name if self.tenant.client else ""

    @property
    def currency(self) -> str:
        return self.tenant.base_currency

    @property
    def oldest_days(self) -> int | None:
        return self.figures.oldest_days(self.as_of)

    @property
    def webhooks_healthy(self) -> bool:
        seen = self.tenant.webhooks_seen_at
        return bool(seen and seen > timezone.now() - WEBHOOKS_HEALTHY)

    @property
    def sync_stale(self) -> bool:
        return sync_stale(self.tenant, timezone.now())


@dataclass
class Group:
    """A client's organisations on this page, and the client's totals per base currency (all
    its organisations, whatever page they are on)."""

    name: str
    client_pk: int | None
    rows: list[Row]
    totals: dict[str, dict[str, Decimal]]
    score: int


@dataclass
class Dashboard:
    rows: list[Row]  # this page's, in order
    everything: list[Row]  # every organisation shown, on any page
    groups: list[Group]  # this page's rows by client (none when sorted by a column)
    page: Page
    as_of: date
    sort: str
    totals: dict[str, dict[str, Decimal]]  # of every organisation shown, on any page
    attention: int  # organisations needing attention among those shown
    organisations: int  # every organisation the member may see, before filters


def dashboard(membership: Membership, values: dict[str, Any]) -> Dashboard:
    """The portfolio. Every organisation's figures are read (sorting, filtering and totals need
    them all, and they are kept); only a page of rows is shown (`PAGE_SIZE`)."""
    today = timezone.localdate()
    as_of = values.get("as_of") or today
    everything = list(organisation_list(membership).only(*TENANT_FIELDS))
    tenants = _filtered(membership, everything, values)
    found = figures(tenants, as_of)
    last = dict(
        ActivityEvent.objects.filter(tenant__in=[t.pk for t in tenants])
        .order_by()
        .values_list("tenant")
        .annotate(Max("created_at"))
    )
    rows = [Row(t, found[t.pk], as_of, last.get(t.pk)) for t in tenants]
    open_kinds: dict[int, list[str]] = defaultdict(list)
    for tenant_pk, kind in open_findings(tenants):
        open_kinds[tenant_pk].append(kind)
    weight = weights(settings_for(membership.workspace_id))
    for row in rows:
        row.findings = open_kinds.get(row.tenant.pk, [])
        row.score = score(row.findings, weight)
        row.reasons = reasons(row)
    if values.get("attention"):
        rows = [row for row in rows if row.reasons]
    sort = values.get("sort") or ""
    if sort:
        key = COLUMNS[sort.lstrip("-")]
        present = [r for r in rows if key(r) is not None]
        present.sort(key=key, reverse=sort.startswith("-"))
        rows = present + [r for r in rows if key(r) is None]
    else:
        rows.sort(key=lambda r: (r.tenant.client_id is None, *COLUMNS["client"](r)))
    page = Paginator(rows, PAGE_SIZE).get_page(values.get("page"))
    shown: list[Row] = list(page.object_list)
    groups: list[Group] = []
    if not sort:
        by_client: dict[int | None, list[Row]] = defaultdict(list)
        for row in rows:
            by_client[row.tenant.client_id].append(row)
        for row in shown:
            if not groups or groups[-1].client_pk != row.tenant.client_id:
                pk = row.tenant.client_id
                name = row.client_name or "Not mapped to a client"
                mates = by_client[pk]
                groups.append(Group(name, pk, [], totals(mates), client_score(mates)))
            groups[-1].rows.append(row)
    return Dashboard(
        rows=shown,
        everything=rows,
        groups=groups,
        page=page,
        as_of=as_of,
        sort=sort,
        totals=totals(rows),
        attention=sum(1 for row in rows if row.reasons),
        organisations=len(everything),
    )


def _filtered(
    membership: Membership, tenants: list[Tenant], values: dict[str, Any]
) -> list[Tenant]:
    if values.get("client"):
        tenants = [t for t in tenants if t.client_id == values["client"]]
    if values.get("member"):
        member = Membership.objects.filter(
            workspace_id=membership.workspace_id, pk=values["member"]
        ).first()
        theirs = set(member.clients.values_list("pk", flat=True)) if member else set()
        tenants = [t for t in tenants if t.client_id in theirs]
    status = values.get("status")
    if status == "connected":
        tenants = [t for t in tenants if t.status == Tenant.Status.CONNECTED]
    elif status == "reconnect":
        tenants = [t for t in tenants if t.status == Tenant.Status.NEEDS_RECONNECT]
    elif status == "disconnected":
        gone = (Tenant.Status.DISCONNECTED, Tenant.Status.REMOVED_IN_XERO)
        tenants = [t for t in tenants if t.status in gone]
    return tenants


def reasons(row: Row) -> list[str]:
    """Why an organisation needs attention, in words; none when it does not."""
    tenant, found = row.tenant, []
    if tenant.status == Tenant.Status.NEEDS_RECONNECT:
        found.append("needs reconnecting")
    elif tenant.status == Tenant.Status.REMOVED_IN_XERO:
        found.append("disconnected in Xero")
    elif row.sync_stale:
        found.append("not synced lately")
    shown = {"needs_reconnect", "sync_stale"}  # said above from the connection itself
    for kind, count in Counter(row.findings).items():
        if kind not in shown:
            label = KINDS[kind][0].lower() if kind in KINDS else kind
            found.append(f"{label} ({count})" if count > 1 else label)
    # Invoices awaiting approval are everyday work, counted in their own column: a practice
    # whose every organisation has some would otherwise "need attention" everywhere.
    return found


def open_findings(tenants: list[Tenant]) -> list[tuple[int, str]]:
    """(organisation, kind) of every open finding of these organisations, and of every snoozed
    one whose day has come (one query)."""
    today = timezone.localdate()
    due = Q(state=Finding.State.OPEN) | Q(state=Finding.State.SNOOZED, snoozed_until__lte=today)
    found = Finding.objects.filter(due, tenant__in=[t.pk for t in tenants])
    return list(found.values_list("tenant_id", "kind"))


def client_score(rows: list[Row]) -> int:
    """A client's health: the mean of its organisations' scores."""
    return round(sum(row.score for row in rows) / len(rows)) if rows else 100


def totals(rows: list[Row]) -> dict[str, dict[str, Decimal]]:
    """Sums of the rows' money per base currency (never converted into one)."""
    sums: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        f = row.figures
        into = sums.setdefault(
            row.currency or "",
            {"receivable": ZERO, "overdue": ZERO, "payable": ZERO, "payable_overdue": ZERO}
            | {f"age_{key}": ZERO for key, *_ in AGEING},
        )
        into["receivable"] += f.receivable
        into["overdue"] += f.overdue
        into["payable"] += f.payable
        into["payable_overdue"] += f.payable_overdue
        for key, amount in f.ageing.items():
            into[f"age_{key}"] += amount
    return sums
