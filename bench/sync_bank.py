"""Sync speed of the other record kinds: the initial sync of an organisation with 20,000 bank
transactions (each with its line) from the sandbox (limits off) into the mirror, against
fetching the same pages with bare `requests` and parsing them without storing anything.

The sandbox runs in a process of its own, as Xero is another machine. Each round syncs another
organisation: the governor stays on at Xero's real limits, and a second
sync of one organisation within the minute would (rightly) wait for it."""

from __future__ import annotations

from typing import Any

import requests

from bench.harness import compare
from bench.sync import _token, sync_params
from bench.xero_setup import connect_all, pointed_at, sandbox_process

ROUNDS = 3


def run() -> None:
    from xeroadmin.books import sync
    from xeroadmin.books.models import Document, SyncJob

    options = ["--orgs", str(ROUNDS + 1), "--invoices-per-org", "20"]
    options += ["--contacts-per-org", "50", "--bank-transactions-per-org", "20000"]
    options += ["--no-rate-limits", "--bulk-connections"]
    with (
        sandbox_process(*options) as base,
        pointed_at(base),
    ):
        connected = connect_all(base, "bench-sync@example.com")
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
            for name in ("Currencies", "TaxRates", "Accounts", "Items"):
                session.get(f"{base}/api.xro/2.0/{name}", headers=headers, timeout=60).json()
            for name, params in sync_params():
                page = 1
                while True:
                    body: Any = session.get(
                        f"{base}/api.xro/2.0/{name}",
                        params={**params, "page": str(page), "pageSize": "1000"},
                        headers=headers,
                        timeout=120,
                    ).json()
                    if len(body[name]) < 1000:
                        break
                    page += 1

        def subject() -> None:
            job = sync.sync_request(tenant=next(tenants), kind=SyncJob.Kind.INITIAL)
            done = sync.sync_job_run(job_id=job.pk)
            assert done is not None
            assert done.status == SyncJob.Status.DONE, done.error

        compare(
            "sync_20k_bank_transactions_vs_bare_fetch",
            subject,
            bare,
            comparison="<=",
            target=1.5,
            rounds=ROUNDS,
            repeat=1,
        )
        found = Document.objects.filter(kind=Document.Kind.BANK_TRANSACTION).count()
        print(f"  mirrored {found:,} bank transactions in all")
