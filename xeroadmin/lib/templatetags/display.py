"""Display filters: `money` (NZ$1,234.50, through `lib.money`), `price` (a unit price, up
to 4 decimals) and `day` (3 Mar 2026)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

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
def day(value: Any) -> str:
    """A date as `3 Mar 2026`; a dash for none."""
    if not isinstance(value, date):
        return "—"
    return f"{value.day} {value:%b %Y}"
