"""Recording activity."""

from __future__ import annotations

from typing import Any

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.tenancy.models import Client, Workspace


def activity_record(
    *,
    workspace: Workspace | int,
    category: str,
    action: str,
    summary: str,
    source: str = ActivityEvent.Source.APP,
    actor: User | None = None,
    tenant: Any = None,
    client: Client | None = None,
    data: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Add one entry to the workspace's (and, given a tenant, the organisation's) feed."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    client_id = client.pk if client is not None else None
    if client is None and tenant is not None:
        client_id = tenant.client_id
    return ActivityEvent.objects.create(
        workspace_id=workspace_id,
        tenant=tenant,
        client_id=client_id,
        source=source,
        category=category,
        action=action,
        summary=summary,
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        data=data or {},
    )
