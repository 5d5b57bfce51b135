"""`make demo`'s first run connects the sandbox's organisations to the demo workspace (one
consent each, over HTTP) and maps each to its client, so its first page shows a practice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from xeroadmin.books.models import SyncJob
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.management.commands.demo import DEMO_EMAIL, DEMO_WORKSPACE
from xeroadmin.tenancy.models import Workspace

pytestmark = pytest.mark.django_db


def demo_connect() -> str:
    out = io.StringIO()
    call_command("demo_connect", "--email", DEMO_EMAIL, "--workspace", DEMO_WORKSPACE, stdout=out)
    return out.getvalue()


def test_the_demo_starts_with_its_practice_connected_and_mapped(xero, settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    call_command("demo", "--setup-only", stdout=io.StringIO())
    assert "Connected 3 organisations" in demo_connect()

    workspace = Workspace.objects.get(name=DEMO_WORKSPACE)
    tenants = Tenant.objects.filter(workspace=workspace).select_related("client")
    assert {t.name: t.client.name if t.client else None for t in tenants} == {
        "Demo Company (NZ)": "Acme Holdings",  # as the demo places it
        "Harbourside Trading (AU)": "Harbourside Trading Pty Ltd",  # as its name suggests
        "Kingsway Studio (UK)": "Kingsway Studio",
    }
    assert all(t.status == Tenant.Status.CONNECTED for t in tenants)
    assert SyncJob.objects.filter(tenant__in=tenants).count() == 3  # each one's first sync
    assert len(xero.sandbox.state.world.connections) == 3

    assert "nothing to do" in demo_connect()  # the next start leaves them be
    assert Tenant.objects.filter(workspace=workspace).count() == 3
