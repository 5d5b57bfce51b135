"""The scheduled passes spend Xero's budget only on what may have changed: at most two calls a
pass for an idle organisation, and a day within a tenth of Xero's Starter limit while its
webhooks are healthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import connect, first_tenant, stats
from xeroadmin.books import sync
from xeroadmin.books.models import SyncJob
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db

STARTER_DAILY_LIMIT = 1000


def a_day_of_passes(
    xero, tenant: Tenant, clock: time_machine.Traveller, *, healthy: bool
) -> list[int]:
    """Calls each scheduled pass made over the second day after the first sync (so that every
    resource's daily full read falls in it) at the default interval, nothing changing."""
    per_pass = []
    for _ in range(2 * 24 * 60 // 15):
        if healthy:
            Tenant.objects.filter(pk=tenant.pk).update(webhooks_seen_at=timezone.now())
        before = stats(xero.url)["calls"]
        sync.sync_schedule()
        for job in SyncJob.objects.filter(status=SyncJob.Status.QUEUED):
            finished = sync.sync_job_run(job_id=job.pk)
            assert finished is not None
            assert finished.status == SyncJob.Status.DONE, finished.error
        per_pass.append(stats(xero.url)["calls"] - before)
        clock.shift(timedelta(minutes=15))
    return per_pass[len(per_pass) // 2 :]


@pytest.mark.parametrize("healthy", [True, False])
def test_an_idle_organisation_costs_little_a_pass_and_a_day(xero, cast: Cast, healthy) -> None:
    start = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        connect(cast)
        tenant = first_tenant(cast)
        # One organisation, so that every call counted is its own.
        Tenant.objects.exclude(pk=tenant.pk).update(status=Tenant.Status.DISCONNECTED)
        sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)  # the first, whole sync
        clock.shift(timedelta(minutes=15))
        per_pass = a_day_of_passes(xero, tenant, clock, healthy=healthy)
    assert max(per_pass) <= sync.PASS_CALLS
    if healthy:
        assert sum(per_pass) <= STARTER_DAILY_LIMIT // 10, per_pass
    else:
        # Without webhooks contacts, invoices and payments are asked for every pass or so.
        assert sum(per_pass) <= 2 * len(per_pass)
        assert sum(per_pass) >= len(per_pass)
