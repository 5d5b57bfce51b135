"""The checks as tasks: one organisation's after its books change, every one nightly."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio import checks
from xeroadmin.portfolio.signals import checks_done

# A sync writes its pages one after another: the checks run once, shortly after the last.
SETTLE_SECONDS = 30


@shared_task
def checks_run(tenant_id: int) -> dict[str, int] | None:
    cache.delete(_pending(tenant_id))
    tenant = Tenant.objects.select_related("grant").filter(pk=tenant_id).first()
    if tenant is None:
        return None
    counts = checks.run(tenant)
    checks_done.send(sender=Tenant, tenant=tenant)
    return counts


@shared_task
def checks_nightly() -> int:
    """Every organisation's checks, in full (thresholds and time move on without any write)."""
    count = 0
    for tenant in Tenant.objects.select_related("grant").iterator():
        checks.run(tenant)
        count += 1
    return count


def _pending(tenant_id: int) -> str:
    return f"portfolio:checks-pending:{tenant_id}"


def books_changed(sender: Any, *, tenant: Tenant, **kwargs: Any) -> None:
    """Queue the organisation's checks, once for a burst of writes."""
    if cache.add(_pending(tenant.pk), 1, timeout=SETTLE_SECONDS * 4):
        pk = tenant.pk
        transaction.on_commit(lambda: checks_run.apply_async((pk,), countdown=SETTLE_SECONDS))
