"""Display filters: `money` (NZ$1,234.50, through `lib.money`), `price` (a unit price, up
to 4 decimals), `day` (3 Mar 2026) and `when` (a moment: "3 minutes ago", exact in its title)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil

from xeroadmin.lib import money as amounts

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    """An amount in its currency (`{{ total|money:invoice.currency_code }}`); blank for none."""
    return amounts.money(value, currency)


@register.filter
def price(value: Any, currency: str = "") -> str:
    """A unit price: the decimals it has, up to 4 (Xero keeps 4 with `unitdp=4`)."""
    return amounts.money(value, currency, places=4)


@register.filter
def negate(value: Any) -> Any:
    """The amount with its sign turned (a journal's credit, shown as a positive figure)."""
    return -value if value is not None else value


@register.filter
def day(value: Any) -> str:
    """A date as `3 Mar 2026`; a dash for none."""
    if not isinstance(value, date):
        return "—"
    return f"{value.day} {value:%b %Y}"


@register.filter
def when(value: Any) -> SafeString | str:
    """A moment as people read it: `<time datetime="…" title="30 Nov 2026 10:04 UTC">3
    minutes ago</time>` ("in 2 hours" for one to come); a dash for none. Never a raw stamp."""
    if not isinstance(value, datetime):
        return "—"
    now = timezone.now()
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    exact = f"{moment.day} {moment:%b %Y %H:%M} {moment:%Z}".strip()
    if abs((now - value).total_seconds()) < 60:
        relative = "just now"
    elif value <= now:
        relative = f"{timesince(value, now, depth=1)} ago"
    else:
        relative = f"in {timeuntil(value, now, depth=1)}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, relative
    )


@register.filter
def next_count(page: Any) -> int:
    """How many rows the next page of a Paginator page holds."""
    paginator = page.paginator
    return int(min(paginator.per_page, paginator.count - page.end_index()))


@register.inclusion_tag("partials/breadcrumbs.html")
def breadcrumbs(*parts: Any) -> dict[str, Any]:
    """`{% breadcrumbs "Invoices" list_url invoice.number %}`: (label, URL) pairs, then this
    page's own label (optional), drawn one way on every page."""
    pairs = len(parts) // 2 * 2
    trail = [(parts[i], parts[i + 1]) for i in range(0, pairs, 2)]
    return {"trail": trail, "current": parts[pairs] if len(parts) > pairs else ""}
