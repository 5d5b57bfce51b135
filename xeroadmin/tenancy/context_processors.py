from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def workspaces(request: HttpRequest) -> dict[str, Any]:
    """The current membership (set by the access helpers) and, lazily, the user's others."""
    if not request.user.is_authenticated:
        return {}

    def memberships() -> list[Any]:
        from xeroadmin.tenancy.selectors import membership_list_for_user

        return list(membership_list_for_user(user=request.user))  # type: ignore[arg-type]

    return {
        "membership": getattr(request, "membership", None),
        "user_memberships": SimpleLazyObject(memberships),
    }
