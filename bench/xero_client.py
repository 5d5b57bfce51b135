"""The Xero client's own cost: calls per second through `XeroClient` (governor on, its counters
in the database; the sandbox's limits off) against bare `requests` calls to the same sandbox.

The governor runs with Xero's real limits, so the calls go round 30 organisations (as a sync of
many clients would): at 60 calls a minute one organisation would be throttled by design, which is
not what is measured here."""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.test.utils import override_settings

from bench.harness import compare

ORGANISATIONS = 30


def run() -> None:
    from xeroadmin.connections.services import tenant_client
    from xeroadmin.sandbox.app import Config
    from xeroadmin.sandbox.server import start_in_thread

    running = start_in_thread(
        Config(orgs=ORGANISATIONS, invoices_per_org=300, contacts_per_org=10, rate_limits=False)
    )
    try:
        base = running.url
        with override_settings(
            XERO_LOGIN_URL=base,
            XERO_IDENTITY_URL=base,
            XERO_API_URL=base,
            XERO_CLIENT_ID=running.sandbox.config.client_id,
            XERO_CLIENT_SECRET=running.sandbox.config.client_secret,
            SITE_URL="http://localhost:8000",
        ):
            tenants = _connect(base)
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


def _connect(base: str) -> list[Any]:
    """Connect every sandbox organisation to a throwaway workspace, through the real flow."""
    from xeroadmin.accounts.models import User
    from xeroadmin.connections import services
    from xeroadmin.tenancy.services import workspace_create

    user = User.objects.create_user("bench-xero@example.com", "bench-password-1")
    workspace = workspace_create(user=user, name="Bench Xero")
    authorization = services.connect_start(app=None)
    page = requests.get(authorization.url, timeout=10).text
    form = re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page)
    tenants = [("tenant", t) for t in re.findall(r"name='tenant' value='([^']+)'", page)]
    answer = requests.post(
        f"{base}/identity/connect/authorize",
        data=[*form, *tenants, ("decision", "allow")],
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    result = services.connect_finish(
        workspace=workspace,
        actor=user,
        app=None,
        code=code,
        redirect_uri=services.redirect_uri(),
        verifier=authorization.verifier,
    )
    return result.created
