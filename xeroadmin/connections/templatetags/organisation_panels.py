"""The workspace page's view of its Xero organisations, served from where their data lives (so
the workspace pages need not import this app)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch

from xeroadmin.connections.models import Tenant
from xeroadmin.connections.selectors import health_by_tenant
from xeroadmin.tenancy.models import Membership
from xeroadmin.tenancy.selectors import client_list

register = template.Library()
SHOWN = 8  # clients on the workspace page; the client list has them all


@register.inclusion_tag("connections/partials/client_organisations.html")
def client_organisations(membership: Membership) -> dict[str, Any]:
    """The first clients the member may see, each with its organisations and their health."""
    tenants = Prefetch("tenants", queryset=Tenant.objects.select_related("grant"))
    clients = list(client_list(membership=membership).prefetch_related(tenants)[:SHOWN])
    organisations = [t for client in clients for t in client.tenants.all()]
    return {
        "membership": membership,
        "clients": clients,
        "health": health_by_tenant(organisations),
    }


@register.simple_tag
def unmapped_count(membership: Membership) -> int:
    """Connected organisations of the workspace not yet mapped to a client."""
    return (
        Tenant.objects.filter(workspace_id=membership.workspace_id, client__isnull=True)
        .exclude(status=Tenant.Status.DISCONNECTED)
        .count()
    )
