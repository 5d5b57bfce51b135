"""Access to an organisation's books: the tenant must belong to the member's workspace and, for
a member limited to some clients, be mapped to one of them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.access import visible_to
from xeroadmin.tenancy.models import Membership


def organisation_list(membership: Membership) -> QuerySet[Tenant]:
    """The organisations whose books this member may see."""
    # The grant is not loaded: its tokens would be decrypted on every page for nothing.
    tenants = Tenant.objects.filter(workspace_id=membership.workspace_id).select_related("client")
    return visible_to(membership, tenants).order_by("name", "pk")


def organisation_for(membership: Membership, tenant_pk: int) -> Tenant:
    """One organisation the member may see, or 404."""
    return get_object_or_404(organisation_list(membership), pk=tenant_pk)
