"""`{{ mapping|get_item:key }}`: look a key up in a dict (templates cannot index by variable)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if not hasattr(mapping, "get"):
        return None
    return mapping.get(key)
