from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def connection_alerts(request: HttpRequest) -> dict[str, Any]:
    """Organisations of the current workspace that need an admin (lazily: one query if shown)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    def alerts() -> list[Any]:
        from xeroadmin.connections.selectors import tenant_list_needing_attention

        return list(tenant_list_needing_attention(membership=membership))

    return {"connection_alerts": SimpleLazyObject(alerts)}
