"""The sandbox's cost: a 1000-invoice page from a 100,000-invoice organisation against the
smallest API call (GET Organisation), over HTTP in one server and run; and the seeding time."""

from __future__ import annotations

import time

import requests

from bench.harness import compare


def run() -> None:
    from xeroadmin.sandbox.app import Config
    from xeroadmin.sandbox.server import start_in_thread

    started = time.perf_counter()
    running = start_in_thread(Config(orgs=1, invoices_per_org=100_000, rate_limits=False))
    seeded = time.perf_counter() - started
    print(f"  seeded 100,000 invoices in {seeded:.1f} s")
    try:
        base = running.url
        token = requests.post(
            f"{base}/connect/token",
            data={"grant_type": "client_credentials"},
            auth=(
                running.sandbox.config.custom_client_id,
                running.sandbox.config.custom_client_secret,
            ),
            timeout=10,
        ).json()["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        # Xero (and so the sandbox) answers XML unless the client asks for JSON.
        session.headers["Accept"] = "application/json"
        page = f"{base}/api.xro/2.0/Invoices"
        params: dict[str, str | int] = {"page": 37, "pageSize": 1000, "where": 'Type=="ACCREC"'}
        assert len(session.get(page, params=params, timeout=30).json()["Invoices"]) == 1000
        compare(
            "sandbox_1000_invoice_page_vs_organisation",
            lambda: session.get(page, params=params, timeout=30),
            lambda: session.get(f"{base}/api.xro/2.0/Organisation", timeout=30),
            comparison="<=",
            target=250.0,
            rounds=5,
            repeat=3,
        )
    finally:
        running.stop()
