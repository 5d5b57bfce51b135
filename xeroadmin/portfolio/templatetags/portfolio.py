"""The workspace's home page shows the portfolio (served from here, so the workspace pages need
not import this app): `{% portfolio %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from xeroadmin.books.selectors import AGEING
from xeroadmin.portfolio import charts
from xeroadmin.portfolio.dashboard import DashboardFilters, dashboard
from xeroadmin.portfolio.figures import trend_of
from xeroadmin.portfolio.rows import Links, row_html

register = template.Library()


@register.inclusion_tag("portfolio/dashboard.html", takes_context=True)
def portfolio(context: template.Context) -> dict[str, Any]:
    request, membership = context["request"], context["membership"]
    form = DashboardFilters(request.GET or None, membership=membership)
    values = form.values()
    board = dashboard(membership, values)
    query, paging = request.GET.copy(), request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    paging.pop("page", None)
    as_of = board.as_of
    today = timezone.localdate()
    lines = trend_of([row.figures for row in board.rows], as_of)
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


@register.filter
def sum_of(sums: dict[str, Any], key: str) -> Any:
    return sums.get(f"age_{key}")
