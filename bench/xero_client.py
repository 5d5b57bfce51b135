"""The Xero client's own cost: calls per second through `XeroClient` (governor on, its counters
in the database; the sandbox's limits off) against bare `requests` calls to the same sandbox.

The governor runs with Xero's real limits, so the calls go round 30 organisations (as a sync of
many clients would): at 60 calls a minute one organisation would be throttled by design, which is
not what is measured here."""

from __future__ import annotations

import itertools
from typing import Any

import requests

from bench.harness import compare
from bench.xero_setup import connect_all, pointed_at

ORGANISATIONS = 30


def run() -> None:
    from xeroadmin.connections.clients import tenant_client
    from xeroadmin.sandbox.app import Config
    from xeroadmin.sandbox.server import start_in_thread

    running = start_in_thread(
        Config(
            orgs=ORGANISATIONS,
            invoices_per_org=300,
            contacts_per_org=10,
            rate_limits=False,
            bulk_connections=True,
        )
    )
    try:
        base = running.url
        with pointed_at(
            base, running.sandbox.config.client_id, running.sandbox.config.client_secret
        ):
            tenants = connect_all(base)
            clients = itertools.cycle([tenant_client(t) for t in tenants])
            token = tenant_client(tenants[0]).tokens.access_token()
            bare = requests.Session()
            ids = itertools.cycle([t.tenant_id for t in tenants])

            def direct(path: str, params: dict[str, Any] | None = None) -> Any:
                headers = {
                    "Authorization": f"Bearer {token}",
                    "xero-tenant-id": next(ids),
                    "Accept": "application/json",
                }
                url = f"{base}/api.xro/2.0/{path}"
                return bare.get(url, params=params, headers=headers, timeout=30).json()

            invoices = {"page": 2, "pageSize": 100}
            compare(
                "xero_client_calls_per_second_vs_bare_requests",
                lambda: next(clients).get("Invoices", invoices),
                lambda: direct("Invoices", invoices),
                comparison=">=",
                target=0.8,
                throughput=True,
            )
            # The worst case: the smallest call Xero has, where fixed costs weigh most.
            compare(
                "xero_client_smallest_call_per_second_vs_bare_requests",
                lambda: next(clients).get("Organisation"),
                lambda: direct("Organisation"),
                comparison=">=",
                target=0.8,
                throughput=True,
            )
            stats = requests.get(f"{base}/_sandbox/stats", timeout=10).json()
            print(f"  sandbox saw {stats['calls']} calls, at most {stats['maxPerMinute']} a minute")
    finally:
        running.stop()
