"""How a feed entry reads on one line: an icon for its kind, who did it (initials, the name in
the title), and the day it belongs to ("Today", "Yesterday", "Monday 23 November")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# 16 by 16 outline icons, drawn here: (path data, what the kind is called for screen readers).
_ICONS = {
    "invoice": ("M4 1.5h6l3 3v10H4z M10 1.5v3h3 M6 8h5 M6 11h5", "Invoice"),
    "creditnote": ("M4 1.5h6l3 3v10H4z M6 9.5h5", "Credit note"),
    "contact": (
        "M8 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M2.5 14.5c.8-3 3-4.5 5.5-4.5s4.7 1.5 5.5 4.5",
        "Contact",
    ),
    "payment": ("M1.5 4h13v8h-13z M1.5 6.5h13 M4 10h3", "Payment"),
    "item": ("M2 5l6-3 6 3v6l-6 3-6-3z M2 5l6 3 6-3 M8 8v6", "Item"),
    "account": (
        "M2 14.5h12 M3.5 12V7 M6.5 12V7 M9.5 12V7 M12.5 12V7 M1.5 5.5 8 2l6.5 3.5z",
        "Account",
    ),
    "sync": ("M13 6a5 5 0 0 0-9.5-1 M3 2v3h3 M3 10a5 5 0 0 0 9.5 1 M13 14v-3h-3", "Sync"),
    "connection": (
        "M6.5 9.5l3-3 M7 4l1.5-1.5a2.8 2.8 0 0 1 4 4L11 8 M9 12l-1.5 1.5a2.8 2.8 0 0 1-4-4L5 8",
        "Connection",
    ),
    "mapping": ("M2 4.5h9 M8.5 2l2.5 2.5L8.5 7 M14 11.5H5 M7.5 9 5 11.5 7.5 14", "Org mapping"),
    "console": ("M1.5 2.5h13v11h-13z M4 6l2 2-2 2 M8 10h4", "Raw request"),
    "subscription": (
        "M8 1.5v2 M4 6a4 4 0 0 1 8 0v4l1.5 2h-11L4 10z M6.5 14a1.5 1.5 0 0 0 3 0",
        "Subscription",
    ),
}
_OTHER = ("M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13z M8 5v3.5 M8 11v.01", "Other")


@register.filter
def feed_icon(category: str) -> SafeString:
    """The icon of an entry's kind, with the kind's name for screen readers."""
    path, name = _ICONS.get(category, _OTHER)
    return format_html(
        '<span class="feed-icon feed-icon-{}"><svg viewBox="0 0 16 16" width="16" height="16" '
        'aria-hidden="true" focusable="false"><path d="{}"/></svg>'
        '<span class="visually-hidden">{}</span></span>',
        category if category in _ICONS else "other",
        path,
        name,
    )


@register.filter
def initials(event: Any) -> SafeString:
    """Who did it, as initials in a circle with the full name in its title: a person's from
    their name or e-mail ("alice.ng@…" is AN), Xero's "X", a sync's or the system's "·"."""
    label = (event.actor_label or "").strip()
    if label:
        name = label.split("@")[0]
        parts = [p for p in name.replace(".", " ").replace("_", " ").replace("-", " ").split() if p]
        letters = "".join(p[0] for p in parts[:2]).upper() or "?"
        return format_html('<span class="initials" title="{}">{}</span>', label, letters)
    source = getattr(event, "source", "")
    if source in ("xero", "webhook"):
        return mark_safe('<span class="initials initials-xero" title="Xero">X</span>')
    title = event.get_source_display() if hasattr(event, "get_source_display") else ""
    return format_html('<span class="initials initials-system" title="{}">·</span>', title)


def _local_day(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def feed_day(value: Any) -> str:
    """The day an entry belongs to, as a heading: "Today", "Yesterday", "Monday 23 November"
    (with the year when it is not this year's)."""
    if not isinstance(value, date):
        return ""
    day = _local_day(value)
    today = timezone.localdate()
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


@register.filter
def day_key(value: Any) -> str:
    """The entry's local day as YYYY-MM-DD (to merge a live top-up into the day shown)."""
    return _local_day(value).isoformat() if isinstance(value, date) else ""
