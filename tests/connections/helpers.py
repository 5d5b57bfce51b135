"""Going through the sandbox's consent page over HTTP, as an admin's browser would."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.conftest import Cast
from xeroadmin.accounts.models import User
from xeroadmin.connections import services
from xeroadmin.connections.demo import connect_one, consent  # noqa: F401 - tests use both
from xeroadmin.connections.models import Grant, Tenant
from xeroadmin.tenancy.models import Workspace


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def organisations(sandbox_url: str) -> list[dict[str, str]]:
    return requests.get(f"{sandbox_url}/_sandbox/state", timeout=10).json()["organisations"]


def connect(cast: Cast, *, tenants: list[str] | None = None) -> services.ConnectResult:
    """Connect organisations to the cast's workspace through the services, as the admin."""
    return connect_workspace(cast.workspace, cast.admin.user, tenants=tenants)


def connect_workspace(
    workspace: Workspace, actor: User, *, tenants: list[str] | None = None
) -> services.ConnectResult:
    """Consent on the sandbox's page (all organisations by default) and finish the connection."""
    return connect_one(workspace, actor, tenants=tenants)


def stats(sandbox_url: str) -> dict[str, Any]:
    return requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()


def control(sandbox_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{sandbox_url}/_sandbox/{path}", json=body, timeout=10)
    assert answer.status_code < 300, answer.text
    return answer.json()


def first_tenant(cast: Cast) -> Tenant:
    """The first connected organisation, with its grant."""
    tenant = Tenant.objects.filter(workspace=cast.workspace).select_related("grant").first()
    assert tenant is not None
    assert tenant.grant is not None
    return tenant


def grant_of(tenant: Tenant) -> Grant:
    assert tenant.grant is not None
    return tenant.grant


PRACTICE_CLIENTS = ("Demo Company Limited", "Harbourside Trading Pty Ltd", "Kingsway Studio")


def practice(owner: User, name: str = "Harbour IT") -> tuple[Workspace, list[Any], list[Any]]:
    """A workspace with three clients, the sandbox's organisations connected, each mapped to
    a client in turn and synced: (workspace, organisations, clients)."""
    from xeroadmin.books import sync
    from xeroadmin.tenancy import services as tenancy

    workspace = tenancy.workspace_create(user=owner, name=name)
    clients = [tenancy.client_create(workspace=workspace, name=n) for n in PRACTICE_CLIENTS]
    connect_workspace(workspace, owner)
    tenants = list(Tenant.objects.filter(workspace=workspace).order_by("pk"))
    for tenant, client in zip(tenants, clients, strict=False):
        tenant.client = client
        tenant.save(update_fields=["client"])
        sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)
    return workspace, tenants, clients
