"""A real worker syncs a newly connected organisation after the connection commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cast
from tests.connections.helpers import connect, first_tenant
from tests.worker import celery_worker, wait_for
from xeroadmin.books.models import Invoice, SyncJob
from xeroadmin.books.sync import sync_request

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_syncs_a_connected_organisation(xero, cast: Cast, tmp_path: Path) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    expected = len(xero.sandbox.state.orgs[tenant.tenant_id].invoices)
    with celery_worker(mail_dir=tmp_path):
        job = sync_request(tenant=tenant)
        done = wait_for(
            lambda: SyncJob.objects.filter(pk=job.pk, status=SyncJob.Status.DONE).first()
        )
    assert done is not None
    assert Invoice.objects.filter(tenant=tenant).count() == expected
