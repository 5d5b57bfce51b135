"""Reading connections: tenants with their grants and clients, and their health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from xeroadmin.connections.governor import governor
from xeroadmin.connections.models import Grant, Tenant, XeroApp
from xeroadmin.tenancy.access import visible_to
from xeroadmin.tenancy.models import Membership, Workspace
from xeroadmin.xero.governor import State, tenant_key


def tenant_list(*, workspace: Workspace) -> QuerySet[Tenant]:
    """Every organisation the workspace has connected (or kept after disconnecting)."""
    return Tenant.objects.filter(workspace=workspace).select_related(
        "client", "grant", "grant__app"
    )


def tenant_list_needing_attention(*, membership: Membership) -> QuerySet[Tenant]:
    """Organisations this member may see that need reconnecting (a member limited to some
    clients never learns the names of the others)."""
    tenants = Tenant.objects.filter(
        workspace_id=membership.workspace_id,
        status__in=[Tenant.Status.NEEDS_RECONNECT, Tenant.Status.REMOVED_IN_XERO],
    )
    return visible_to(membership, tenants).only("pk", "name", "status", "workspace_id")


def duplicate_names(tenants: list[Tenant]) -> set[str]:
    """Names shared by more than one organisation (told apart by tenant id, never by name)."""
    seen: dict[str, int] = {}
    for tenant in tenants:
        seen[tenant.name.lower()] = seen.get(tenant.name.lower(), 0) + 1
    return {name for name, count in seen.items() if count > 1}


def app_list(*, workspace: Workspace) -> QuerySet[XeroApp]:
    return XeroApp.objects.filter(workspace=workspace).annotate(grant_count=Count("grants"))


@dataclass
class Health:
    status: str
    status_label: str
    token_expires_at: datetime | None
    last_refreshed_at: datetime | None
    scopes: list[str]
    calls_left_minute: int | None
    calls_left_day: int | None
    last_error: str
    last_error_at: datetime | None
    last_wait: str
    last_wait_at: datetime | None
    grant_status: str


def health_by_tenant(tenants: list[Tenant]) -> dict[int, Health]:
    """The health of several organisations, their rate-limit counters read in one query."""
    keys = {
        t.pk: tenant_key(t.grant.client_id, t.tenant_id) for t in tenants if t.grant is not None
    }
    states = governor().store.read_many(list(keys.values()))
    return {t.pk: tenant_health(t, states.get(keys.get(t.pk, ""), {})) for t in tenants}


def calls_left_today(tenants: list[Tenant]) -> dict[int, int | None]:
    """How many calls each connected organisation has left today, read in one query. Its
    app's client id is read from `app_client_id` where the query annotated it, else from its
    grant."""
    keys = {
        t.pk: tenant_key(_app_client_id(t), t.tenant_id)
        for t in tenants
        if t.grant_id is not None and t.status == Tenant.Status.CONNECTED
    }
    states = governor().store.read_many(list(keys.values()))
    return {pk: governor().remaining_in(states.get(key, {}))["day"] for pk, key in keys.items()}


def _app_client_id(tenant: Tenant) -> str:
    annotated = getattr(tenant, "app_client_id", None)
    if annotated is not None:
        return str(annotated)
    return tenant.grant.client_id if tenant.grant is not None else ""


def tenant_health(tenant: Tenant, limits_state: State | None = None) -> Health:
    """What an admin needs to judge a connection at a glance."""
    grant: Grant | None = tenant.grant
    remaining: dict[str, int | None] = {"minute": None, "day": None}
    if grant is not None and tenant.status == Tenant.Status.CONNECTED:
        if limits_state is None:
            remaining = governor().remaining(grant.client_id, tenant.tenant_id)
        else:
            remaining = governor().remaining_in(limits_state)
    return Health(
        status=tenant.status,
        status_label=tenant.get_status_display(),
        token_expires_at=grant.expires_at if grant else None,
        last_refreshed_at=grant.last_refreshed_at if grant else None,
        scopes=grant.scope_list if grant else [],
        calls_left_minute=remaining["minute"],
        calls_left_day=remaining["day"],
        last_error=tenant.last_error,
        last_error_at=tenant.last_error_at,
        last_wait=tenant.last_wait,
        last_wait_at=tenant.last_wait_at,
        grant_status=grant.get_status_display() if grant else "",
    )
