"""The workspace's home page shows the portfolio (served from here, so the workspace pages need
not import this app): `{% portfolio %}`.

Performance: over 200 organisations the portfolio took nine times as long as a trivial page
even with every organisation's figures kept (`make bench BENCH=portfolio`), so the rendered
portfolio is kept too, under everything it shows: the member and what they may see, the URL's
query, each organisation's name, client, state, freshness, books version and latest activity,
the findings' last change, the day and the minute (relative times). Reading those is four
small queries.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.access import organisation_list
from xeroadmin.books.mirror import with_invoices_version
from xeroadmin.books.selectors import AGEING
from xeroadmin.portfolio import charts
from xeroadmin.portfolio.dashboard import DashboardFilters, dashboard
from xeroadmin.portfolio.figures import trend_of
from xeroadmin.portfolio.models import Finding
from xeroadmin.portfolio.rows import Links, row_html
from xeroadmin.tenancy.access import visible_clients
from xeroadmin.tenancy.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def portfolio(context: template.Context) -> SafeString:
    request, membership = context["request"], context["membership"]
    key = _key(request, membership)
    kept = cache.get(key)
    if kept is None:
        form = DashboardFilters(request.GET or None, membership=membership)
        kept = render_to_string("portfolio/dashboard.html", _context(request, membership, form))
        cache.set(key, kept, timeout=600)
    return SafeString(kept)


def _key(request: Any, membership: Membership) -> str:
    """Everything the rendered portfolio depends on, hashed. The filters' choices are read as
    plain values (building the form costs more than the rest of the key)."""
    newest = ActivityEvent.objects.filter(tenant=OuterRef("pk")).order_by("-created_at")
    tenants = list(
        with_invoices_version(organisation_list(membership))
        .annotate(active=Subquery(newest.values("created_at")[:1]))
        .values_list(
            "pk",
            "name",
            "status",
            "client_id",
            "client__name",
            "base_currency",
            "last_synced_at",
            "webhooks_seen_at",
            "invoices_version",
            "active",
        )
    )
    findings = Finding.objects.filter(workspace_id=membership.workspace_id).aggregate(
        changed=Max("changed_at"), count=Count("pk")
    )
    now = timezone.now()
    parts = (
        findings,
        membership.pk,
        membership.role,
        membership.limited,
        sorted(request.GET.lists()),
        list(visible_clients(membership).order_by("name").values_list("pk", "name")),
        list(
            Membership.objects.filter(workspace_id=membership.workspace_id, limited=True)
            .order_by("user__email")
            .values_list("pk", "user__email")
        )
        if membership.can_admin
        else None,
        tenants,
        timezone.localdate(),
        now.replace(second=0, microsecond=0),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"portfolio:html:{membership.workspace_id}:{digest}"


def _context(request: Any, membership: Membership, form: DashboardFilters) -> dict[str, Any]:
    values = form.values()
    board = dashboard(membership, values)
    query, paging = request.GET.copy(), request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    paging.pop("page", None)
    as_of = board.as_of
    today = timezone.localdate()
    lines = trend_of([row.figures for row in board.everything], as_of)
    links = Links(membership.workspace_id, "" if as_of == today else as_of.isoformat())
    html = {id(row): row_html(row, links, show_client=not board.groups) for row in board.rows}
    return {
        "request": request,
        "membership": membership,
        "form": form,
        "board": board,
        "ageing": AGEING,
        "as_of": as_of,
        "as_of_param": "" if as_of == today else as_of.isoformat(),
        "sort_query": query.urlencode(),
        "page": board.page,
        "query": paging.urlencode(),
        "filtered": any(values.get(k) for k in ("client", "member", "status", "attention")),
        "bars": {
            (group.client_pk, currency): charts.ageing_bar(
                group.name, currency, {key: sums[f"age_{key}"] for key, *_ in AGEING}
            )
            for group in board.groups
            for currency, sums in group.totals.items()
        },
        "html": html,
        "trends": [
            (currency, charts.trend(currency, points), points) for currency, points in lines.items()
        ],
    }


@register.simple_tag
def bar_for(bars: dict[Any, Any], client_pk: int | None, currency: str) -> Any:
    return bars.get((client_pk, currency), "")


@register.simple_tag
def row_of(html: dict[int, Any], row: Any) -> Any:
    return html[id(row)]
