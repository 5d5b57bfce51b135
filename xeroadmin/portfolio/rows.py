"""A portfolio row as HTML, written here rather than by the template engine.

Performance: the dashboard shows every organisation at once, and at 200 organisations the
template's per-cell tags and filters took ten times as long as the rest of the page, and
`format_html` per cell still twice (`make bench BENCH=portfolio`); each row here is one string
with every value escaped. What a row says is still
decided in one place: the cells below, in the table's column order (`HEADINGS`).
"""

from __future__ import annotations

from html import escape as esc
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString

from xeroadmin.books.selectors import AGEING
from xeroadmin.lib.money import money
from xeroadmin.lib.templatetags.display import when

if TYPE_CHECKING:
    from xeroadmin.portfolio.dashboard import Row

SENTINEL = 987654321


class Links:
    """The URLs a row links to, built by string from one `reverse` each."""

    def __init__(self, ws: int, as_of_param: str) -> None:
        self.home = reverse("books:organisation-home", args=[ws, SENTINEL])
        self.invoices = reverse("books:invoice-list", args=[ws, SENTINEL])
        self.as_of = f"&as_of={as_of_param}" if as_of_param else ""

    def of(self, pattern: str, tenant_pk: int) -> str:
        return pattern.replace(str(SENTINEL), str(tenant_pk))

    def aged(self, tenant_pk: int, kind: str, age: str) -> str:
        return f"{self.of(self.invoices, tenant_pk)}?type={kind}&age={age}{self.as_of}"


def row_html(row: Row, links: Links, *, show_client: bool) -> SafeString:
    """The row: every value escaped here (`esc`) but `when`'s, which is HTML already."""
    tenant, f, currency = row.tenant, row.figures, row.tenant.base_currency
    pk = tenant.pk

    def amount(label: str, value: object, href: str) -> str:
        return (
            f'<td data-label="{esc(label)}" class="num"><a href="{esc(href)}">'
            f"{esc(money(value, currency))}</a></td>"
        )

    def count(label: str, number: int, value: object, status: str) -> str:
        href = f"{links.of(links.invoices, pk)}?status={status}"
        return (
            f'<td data-label="{label}" class="num"><a href="{esc(href)}" '
            f'title="{esc(money(value, currency))}">{number}</a></td>'
        )

    client = (
        f'<small class="muted">{esc(row.client_name or "Not mapped")}</small>'
        if show_client
        else ""
    )
    days = row.oldest_days
    oldest = "—" if days is None else f"{days} day{'' if days == 1 else 's'}"
    reasons = esc("; ".join(row.reasons).capitalize()) if row.reasons else "—"
    cells = [
        f'<th scope="row" data-label="Organisation" class="clip" title="{esc(tenant.name)}">'
        f'<a href="{esc(links.of(links.home, pk))}">{esc(tenant.name)}</a>{client}</th>',
        f'<td data-label="Connection">{_connection(row)}</td>',
        f'<td data-label="Health" class="num"><span class="score {_band(row.score)}">'
        f"{row.score}</span></td>",
        amount("Owed to it", f.receivable, links.aged(pk, "ACCREC", "all")),
        amount("Overdue", f.overdue, links.aged(pk, "ACCREC", "overdue")),
        *(amount(label, f.ageing[key], links.aged(pk, "ACCREC", key)) for key, label, *_ in AGEING),
        amount("It owes", f.payable, links.aged(pk, "ACCPAY", "all")),
        amount("Overdue bills", f.payable_overdue, links.aged(pk, "ACCPAY", "overdue")),
        count("Drafts", f.drafts, f.drafts_value, "DRAFT"),
        count("To approve", f.approval, f.approval_value, "SUBMITTED"),
        f'<td data-label="Oldest overdue" class="num">{oldest}</td>',
        f'<td data-label="Last activity">{when(row.last_activity)}</td>',
        f'<td data-label="Needs attention">{reasons}</td>',
    ]
    marked = ' class="needs-attention"' if row.reasons else ""
    return SafeString(f"<tr{marked}>{''.join(cells)}</tr>")


def _connection(row: Row) -> str:
    tenant = row.tenant
    if tenant.status != "connected":
        return f'<span class="badge badge-warn">{esc(tenant.get_status_display())}</span>'
    synced = tenant.last_synced_at
    title = f"Synced {synced:%d %b %Y %H:%M}" if synced else "Never synced"
    stale = row.sync_stale
    badge = (
        f'<span class="badge {"badge-warn" if stale else "badge-ok"}" title="{esc(title)}">'
        f"{'Stale' if stale else 'Synced'}</span>"
    )
    if row.webhooks_healthy:
        badge += ' <span class="badge" title="Webhooks delivered in the last 24 hours">Live</span>'
    return badge


def _band(score: int) -> str:
    """The score's colour class: good, watch, poor."""
    return "score-good" if score >= 85 else "score-watch" if score >= 60 else "score-poor"
