"""Xero's budget spent on an idle organisation: the calls one scheduled pass makes (most of
them, over a day) and the calls a whole day of passes makes at the default interval, with the
organisation's webhooks healthy and without them. Counted by the sandbox, which runs in this
process so that its clock and ours move together through the simulated day.

These are counts, not times: no baseline is needed, and the same run gives the same figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
import time_machine

from bench.harness import RESULTS, Result
from bench.xero_setup import connect_all, pointed_at

# Xero's Starter plan allows an organisation 1,000 calls a day.
STARTER_DAILY_LIMIT = 1000


def run() -> None:
    from xeroadmin.sandbox.app import Config
    from xeroadmin.sandbox.server import start_in_thread

    start = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        # A seed of its own: organisations (and so the governor's counters) that no other
        # benchmark of this run has used at another time of day.
        running = start_in_thread(
            Config(
                seed=2026,
                orgs=2,
                invoices_per_org=200,
                contacts_per_org=50,
                bulk_connections=True,
            )
        )
        base = running.url
        try:
            with pointed_at(base):
                tenants = connect_all(base, "bench-budget@example.com")
                for tenant, healthy in zip(tenants, (True, False), strict=False):
                    _report(_day(base, tenant, clock, healthy=healthy), healthy=healthy)
        finally:
            running.stop()


def _day(base: str, tenant, clock, *, healthy: bool) -> list[int]:
    """Calls of each scheduled pass over a day, nothing changing: the second day after the
    first sync, so that every resource's daily full read falls in it."""
    from django.utils import timezone

    from xeroadmin.books import sync
    from xeroadmin.books.models import SyncJob
    from xeroadmin.connections.models import Tenant

    Tenant.objects.exclude(pk=tenant.pk).update(status=Tenant.Status.DISCONNECTED)
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.CONNECTED)
    sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)
    passes = []
    for _ in range(2 * 24 * 60 // 15):
        clock.shift(timedelta(minutes=15))
        if healthy:  # a delivery of its app arrived lately
            Tenant.objects.filter(pk=tenant.pk).update(webhooks_seen_at=timezone.now())
        before = _calls(base)
        sync.sync_schedule()
        for job in SyncJob.objects.filter(status=SyncJob.Status.QUEUED):
            sync.sync_job_run(job_id=job.pk)
        passes.append(_calls(base) - before)
    return passes[len(passes) // 2 :]


def _calls(base: str) -> int:
    return int(requests.get(f"{base}/_sandbox/stats", timeout=10).json()["calls"])


def _report(passes: list[int], *, healthy: bool) -> None:
    label = "webhooks_healthy" if healthy else "no_webhooks"
    figures = [
        (f"sync_idle_pass_calls_{label}", float(max(passes)), 2.0),
        (
            f"sync_calls_per_day_{label}_percent_of_starter",
            100.0 * sum(passes) / STARTER_DAILY_LIMIT,
            10.0 if healthy else 25.0,
        ),
    ]
    print(f"  {label}: {sum(passes)} calls in {len(passes)} passes; per pass {sorted(set(passes))}")
    for name, value, target in figures:
        result = Result(name, value, value, value, len(passes), "<=", target)
        RESULTS.append(result)
        print(result.line(), flush=True)
