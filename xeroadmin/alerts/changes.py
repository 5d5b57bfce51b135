"""What the alerts hear from the apps below: record changes in the mirror, and checks done."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import timezone

from xeroadmin.alerts import conditions
from xeroadmin.alerts.models import Channel, RecordChange, Rule
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.tasks import enqueue_on_commit

WANTS_FOR = 60  # seconds a workspace's answer is kept


def _wants_key(workspace_id: int) -> str:
    return f"alerts:wants-changes:{workspace_id}"


def forget_wants(workspace_id: int) -> None:
    """A rule or channel changed: ask again whether the workspace wants record changes."""
    cache.delete(_wants_key(workspace_id))


def wanted(sender: Any, *, tenant: Tenant, **kwargs: Any) -> bool:
    """Whether the workspace has an event rule or a webhook channel taking record events."""
    key = _wants_key(tenant.workspace_id)
    answer = cache.get(key)
    if answer is None:
        answer = (
            Rule.objects.filter(
                workspace_id=tenant.workspace_id, active=True, condition__in=conditions.EVENTS
            ).exists()
            or Channel.objects.filter(
                workspace_id=tenant.workspace_id, kind=Channel.Kind.WEBHOOK, record_events=True
            ).exists()
        )
        cache.set(key, answer, WANTS_FOR)
    return bool(answer)


def record(
    sender: Any, *, tenant: Tenant, kind: str, changes: list[dict[str, Any]], **kwargs: Any
) -> None:
    """Keep the changes for the rules and channels, and have them looked at once committed."""
    now = timezone.now()
    RecordChange.objects.bulk_create(
        [
            RecordChange(
                workspace_id=tenant.workspace_id,
                tenant=tenant,
                kind=kind,
                record_pk=change["pk"],
                xero_id=change["xero_id"],
                created=change["created"],
                status_from=change["status_from"] or "",
                status_to=change["status_to"] or "",
                bank_changed=change["bank_changed"],
                at=now,
            )
            for change in changes
            if change.get("pk")
        ]
    )
    _evaluate_later(tenant.pk)


def checks_done(sender: Any, *, tenant: Tenant, **kwargs: Any) -> None:
    _evaluate_later(tenant.pk)


def _evaluate_later(tenant_id: int) -> None:
    from xeroadmin.alerts.tasks import alerts_evaluate

    enqueue_on_commit(alerts_evaluate, tenant_id)
