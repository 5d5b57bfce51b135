"""Access helpers for connections: objects of the member's workspace, else 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.tenancy.models import Membership


def tenant_for(membership: Membership, tenant_pk: int) -> Tenant:
    """A connected (or kept) organisation of the member's workspace."""
    return get_object_or_404(
        Tenant.objects.select_related("grant", "grant__app", "client"),
        pk=tenant_pk,
        workspace_id=membership.workspace_id,
    )


def app_for(membership: Membership, app_id: int) -> XeroApp:
    """A Xero app of the member's workspace."""
    return get_object_or_404(XeroApp, pk=app_id, workspace_id=membership.workspace_id)
