"""Sync speed: the initial sync of an organisation with 20,000 invoices and 5,000 contacts from
the sandbox (limits off) into the mirror, against fetching the same pages with bare `requests`
and parsing them without storing anything.

The sandbox runs in a process of its own, as Xero is another machine. Each round syncs another
organisation: the governor stays on at Xero's real limits, and a second
sync of one organisation within the minute would (rightly) wait for it."""

from __future__ import annotations

from typing import Any

import requests

from bench.harness import compare
from bench.xero_setup import connect_all, pointed_at, sandbox_process

ROUNDS = 3


def run() -> None:
    from xeroadmin.books.models import Invoice

    options = ["--orgs", str(ROUNDS + 1), "--invoices-per-org", "20000"]
    options += ["--contacts-per-org", "5000"]
    measure("sync_20k_invoices_5k_contacts_vs_bare_fetch", options)
    print(f"  mirrored {Invoice.objects.count():,} invoices in all")


def measure(name: str, options: list[str]) -> None:
    """Initial syncs of fresh organisations of a sandbox started with `options` (limits off),
    against bare fetching of the same pages."""
    from xeroadmin.books import sync
    from xeroadmin.books.models import SyncJob

    with (
        sandbox_process(*options, "--no-rate-limits", "--bulk-connections") as base,
        pointed_at(base),
    ):
        connected = connect_all(base, f"bench-{name[:20]}@example.com")
        tenant = connected[0]  # what the baseline fetches (fetching changes nothing)
        tenants = iter(connected)  # a fresh organisation for each sync (warm-up included)
        token = _token(tenant)
        session = requests.Session()
        headers = {
            "Authorization": f"Bearer {token}",
            "xero-tenant-id": tenant.tenant_id,
            "Accept": "application/json",
        }

        def bare() -> None:
            for resource in ("Currencies", "TaxRates", "Accounts", "Items"):
                session.get(f"{base}/api.xro/2.0/{resource}", headers=headers, timeout=60).json()
            for resource, params in sync_params():
                page = 1
                while True:
                    body: Any = session.get(
                        f"{base}/api.xro/2.0/{resource}",
                        params={**params, "page": str(page), "pageSize": "1000"},
                        headers=headers,
                        timeout=120,
                    ).json()
                    if len(body[resource]) < 1000:
                        break
                    page += 1

        def subject() -> None:
            job = sync.sync_request(tenant=next(tenants), kind=SyncJob.Kind.INITIAL)
            done = sync.sync_job_run(job_id=job.pk)
            assert done is not None
            assert done.status == SyncJob.Status.DONE, done.error

        compare(name, subject, bare, comparison="<=", target=1.5, rounds=ROUNDS, repeat=1)


def sync_params() -> list[tuple[str, dict[str, str]]]:
    from xeroadmin.books.sync import RESOURCES

    return [(r.name, dict(r.params)) for r in RESOURCES if r.paged]


def _token(tenant: Any) -> str:
    from xeroadmin.connections.clients import grant_access_token

    return grant_access_token(grant_id=tenant.grant_id)
