"""Reading the feeds."""

from __future__ import annotations

from django.db.models import QuerySet

from xeroadmin.activity.models import ActivityEvent
from xeroadmin.tenancy.models import Workspace


def activity_list(
    *, workspace: Workspace, tenant_id: int | None = None, category: str = ""
) -> QuerySet[ActivityEvent]:
    """The workspace's activity, newest first, optionally for one organisation or category."""
    events = ActivityEvent.objects.filter(workspace=workspace).select_related("tenant", "actor")
    if tenant_id is not None:
        events = events.filter(tenant_id=tenant_id)
    if category:
        events = events.filter(category=category)
    return events
