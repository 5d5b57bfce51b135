from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def unread(request: HttpRequest) -> dict[str, Any]:
    """How many of the member's notifications are unread (for the bell; one query, if shown)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    def count() -> int:
        from xeroadmin.alerts.models import Notification

        return Notification.objects.filter(
            member=membership, in_app=True, read_at__isnull=True
        ).count()

    return {"unread_count": SimpleLazyObject(count)}
