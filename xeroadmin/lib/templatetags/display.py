"""Fast display filters for long tables: `money` (1,234.50) and `day` (3 Mar 2026)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """An amount with thousands separators and two decimals; blank for none."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


@register.filter
def day(value: Any) -> str:
    """A date as `3 Mar 2026`; a dash for none."""
    if not isinstance(value, date):
        return "—"
    return f"{value.day} {value:%b %Y}"
