"""The books tests' organisation: the sandbox's first, connected, synced and mapped to client A."""

from __future__ import annotations

import pytest

from tests.conftest import Cast
from tests.connections.helpers import connect, first_tenant
from xeroadmin.books import sync
from xeroadmin.connections.models import Tenant


@pytest.fixture
def books(xero, cast: Cast) -> Tenant:
    connect(cast)
    tenant = first_tenant(cast)
    tenant.client = cast.client_a
    tenant.save()
    sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)
    tenant.refresh_from_db()
    return tenant
