"""Pictures drawn on the server as SVG: an ageing bar and a receivables trend. Each has a title
that says what it shows in words; the numbers themselves are in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from xeroadmin.books.selectors import AGEING
from xeroadmin.lib.money import money

# Current to over 90 days: from calm to alarming (each at least 3:1 against white).
BUCKET_COLOURS = ("#067647", "#3b7d0c", "#b54708", "#c4320a", "#b42318")


def ageing_bar(
    name: str, currency: str, ageing: dict[str, Decimal], *, width: int = 240
) -> SafeString:
    """A horizontal bar split into the ageing buckets, each as wide as its share."""
    total = sum(ageing.values(), Decimal("0"))
    words = ", ".join(
        f"{label.lower()} {money(ageing.get(key, 0), currency)}" for key, label, *_ in AGEING
    )
    title = f"Ageing of {name}'s receivables ({currency}): {words}"
    parts, x = [], 0.0
    if total > 0:
        for (key, _, *_rest), colour in zip(AGEING, BUCKET_COLOURS, strict=True):
            share = float(ageing.get(key, 0) / total) * width
            if share > 0:
                parts.append((f"{x:.1f}", f"{share:.1f}", colour))
                x += share
    rects = format_html_join(
        "", '<rect x="{}" y="0" width="{}" height="12" fill="{}"/>', parts
    ) or format_html('<rect x="0" y="0" width="{}" height="12" fill="#d9dfe7"/>', width)
    return format_html(
        '<svg class="ageing-bar" viewBox="0 0 {} 12" width="{}" height="12" role="img">'
        "<title>{}</title>{}</svg>",
        width,
        width,
        title,
        rects,
    )


def trend(
    currency: str, points: Sequence[tuple[date, Decimal]], *, width: int = 480, height: int = 120
) -> SafeString:
    """Receivables outstanding at each month's end, as a line with its points marked."""
    if not points:
        return SafeString("")
    top = max((amount for _, amount in points), default=Decimal("0")) or Decimal("1")
    step = width / max(len(points) - 1, 1)
    pad = 8
    coords = [
        (round(i * step, 1), round(height - pad - float(amount / top) * (height - 2 * pad), 1))
        for i, (_, amount) in enumerate(points)
    ]
    line = " ".join(f"{x},{y}" for x, y in coords)
    first, last = points[0], points[-1]
    title = (
        f"Receivables outstanding ({currency}) at each month's end, from "
        f"{money(first[1], currency)} on {first[0]:%d %b %Y} to {money(last[1], currency)} on "
        f"{last[0]:%d %b %Y}"
    )
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3"/>', coords)
    return format_html(
        '<svg class="trend" viewBox="-4 0 {} {}" width="100%" height="{}" role="img" '
        'preserveAspectRatio="none"><title>{}</title><polyline points="{}"/>{}</svg>',
        width + 8,
        height,
        height,
        title,
        line,
        dots,
    )
