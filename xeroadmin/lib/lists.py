"""What every filtered list shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest


def list_tabs(
    request: HttpRequest,
    name: str,
    choices: Sequence[tuple[str, str]],
    counts: dict[str, int],
    *,
    form_id: str,
) -> dict[str, Any]:
    """The context of a list's filter tabs (`partials/list_tabs.html`): each tab with how many
    rows choosing it would show, linked with every other filter kept."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(name, None)
    current = request.GET.get(name, "")
    return {
        "tabs": [(value, label, counts.get(value, 0)) for value, label in choices],
        "tab_name": name,
        "tab_query": query.urlencode(),
        "tab_current": current if current in {value for value, _ in choices} else "",
        "tab_form": form_id,
    }
