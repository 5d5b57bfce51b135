"""Reading organisations' users: thin entry points that take ids and call the service."""

from __future__ import annotations

from celery import shared_task

from xeroadmin.connections.models import Tenant
from xeroadmin.people import services
from xeroadmin.xero.errors import XeroError


@shared_task
def users_read_due() -> int:
    return services.users_read_due()


@shared_task
def users_read_one(tenant_pk: int) -> str:
    """Read one organisation's users, if they were not read today (after connecting it)."""
    tenant = Tenant.objects.filter(pk=tenant_pk, status=Tenant.Status.CONNECTED).first()
    if tenant is None:
        return "gone"
    try:
        result = services.users_read(tenant=tenant)
    except XeroError:
        return "failed"
    return "read" if result is not None else "not due"
