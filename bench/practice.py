"""A simulated practice of 500 small organisations, start to finish: 20 connected one consent at
a time (as an admin clicks "Connect another organisation"), the other 480 in one consent with
Bulk Connections, all mapped by importing a 500-row CSV (twice: the second changes nothing),
then synced by two real Celery workers against the sandbox with its rate limits on.

It prints what the practice cost: calls to Xero, 429s (there must be none), the time to fully
synced, and the database's size. Not a ratio (nothing to compare it with): a figure for the
notes, with its own checks. Best run on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench practice
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench.xero_setup import ROOT, pointed_at, sandbox_process

ORGANISATIONS = 500
ONE_AT_A_TIME = 20
WORKERS = 2


def run() -> None:
    from django.conf import settings
    from django.db import connection

    from xeroadmin.accounts.models import User
    from xeroadmin.books.models import SyncJob
    from xeroadmin.connections import mapping
    from xeroadmin.connections.demo import connect_one, consent
    from xeroadmin.connections.models import Tenant
    from xeroadmin.connections.services import connect_finish, connect_start, redirect_uri
    from xeroadmin.connections.signals import organisation_connected
    from xeroadmin.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
    from xeroadmin.tenancy.models import Client
    from xeroadmin.tenancy.services import workspace_create

    options = [
        "--orgs",
        str(ORGANISATIONS),
        "--invoices-per-org",
        "6",
        "--contacts-per-org",
        "4",
        "--bank-transactions-per-org",
        "2",
    ]
    started = time.monotonic()
    with sandbox_process(*options) as base, pointed_at(base):
        print(
            f"  sandbox with {ORGANISATIONS} organisations up in {time.monotonic() - started:.0f} s"
        )
        settings.XERO_PLAN = "advanced"  # 10,000 connections: room for the practice
        user = User.objects.create_user("bench-practice@example.com", "bench-password-1")
        workspace = workspace_create(user=user, name="Bench Practice")
        state = requests.get(f"{base}/_sandbox/state", timeout=30).json()["organisations"]
        # The practice's own client list, named as a PSA would have them.
        # (Organisations of the same name, in different countries, are one client.)
        names = sorted({_client_name(o["name"]) for o in state})
        Client.objects.bulk_create(
            Client(workspace=workspace, name=name, external_ref=f"PSA-{n}")
            for n, name in enumerate(names)
        )

        # 20 one consent at a time.
        began = time.monotonic()
        for organisation in state[:ONE_AT_A_TIME]:
            connect_one(workspace, user, tenants=[organisation["tenantId"]])
        one_by_one = time.monotonic() - began
        # The rest in one consent, the app now with Bulk Connections.
        requests.post(
            f"{base}/_sandbox/apps",
            json={
                "clientId": DEFAULT_CLIENT_ID,
                "clientSecret": DEFAULT_CLIENT_SECRET,
                "kind": "web",
                "allowLoopbackRedirects": True,
                "bulkConnections": True,
            },
            timeout=10,
        ).raise_for_status()
        began = time.monotonic()
        authorization = connect_start(app=None)
        back = consent(authorization.url, tenants=[o["tenantId"] for o in state[ONE_AT_A_TIME:]])
        from urllib.parse import parse_qs, urlsplit

        code = parse_qs(urlsplit(back).query)["code"][0]
        connect_finish(
            workspace=workspace,
            actor=user,
            app=None,
            code=code,
            redirect_uri=redirect_uri(),
            verifier=authorization.verifier,
        )
        bulk = time.monotonic() - began
        tenants = list(Tenant.objects.filter(workspace=workspace))
        assert len(tenants) == ORGANISATIONS, len(tenants)
        print(
            f"  connected: {ONE_AT_A_TIME} one at a time in {one_by_one:.1f} s, "
            f"{ORGANISATIONS - ONE_AT_A_TIME} in one bulk consent in {bulk:.1f} s"
        )

        # Mapped by a 500-row CSV, as exported from the practice's own software.
        refs = {c.name: c.external_ref for c in Client.objects.filter(workspace=workspace)}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(mapping.CSV_HEADER)
        for tenant in tenants:
            name = _client_name(tenant.name)
            writer.writerow([tenant.tenant_id, tenant.name, name, refs[name]])
        began = time.monotonic()
        plan = mapping.import_apply(workspace=workspace, actor=user, text=out.getvalue())
        first = time.monotonic() - began
        assert plan.ok, plan.errors[:3] + [r.error for r in plan.error_rows[:3]]
        again = mapping.import_apply(workspace=workspace, actor=user, text=out.getvalue())
        assert again.ok
        assert not again.changes
        assert not Tenant.objects.filter(workspace=workspace, client__isnull=True).exists()
        print(
            f"  mapped by a {len(tenants)}-row CSV in {first:.1f} s; the same file again changed nothing"
        )

        # Synced by two workers, the sandbox's limits on.
        requests.post(f"{base}/_sandbox/limits", json={"enabled": True, "reset": True}, timeout=10)
        with _workers(base, settings) as log_dir:
            began = time.monotonic()
            for tenant in tenants:
                organisation_connected.send(Tenant, tenant=tenant, actor=user)
            while True:
                left = SyncJob.objects.filter(
                    status__in=[SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]
                ).count()
                if not left:
                    break
                if time.monotonic() - began > 3600:
                    raise RuntimeError(
                        f"not synced after an hour ({left} jobs left; see {log_dir})"
                    )
                time.sleep(2)
            synced_in = time.monotonic() - began
        failed = SyncJob.objects.exclude(status=SyncJob.Status.DONE).count()
        stats = requests.get(f"{base}/_sandbox/stats", timeout=30).json()
        size = _database_size(connection)
        synced = Tenant.objects.filter(workspace=workspace, last_synced_at__isnull=False).count()
        print(
            f"bench: practice_500: {synced} of {ORGANISATIONS} organisations synced by "
            f"{WORKERS} workers in {synced_in:.0f} s; {stats['calls']} calls to Xero "
            f"({stats['calls'] / ORGANISATIONS:.0f} an organisation), "
            f"{sum(stats['rejected'].values())} answered 429, {failed} jobs not done; "
            f"database {size / 1024**2:.0f} MB ({connection.vendor})",
            flush=True,
        )
        assert synced == ORGANISATIONS
        assert not stats["rejected"], stats["rejected"]


def _client_name(organisation: str) -> str:
    """The client an organisation belongs to, as a practice's own software names it."""
    return organisation.split(" (")[0] + " Limited"


class _workers:
    """Two real Celery workers on the benchmark's database and broker, stopped afterwards."""

    def __init__(self, base: str, settings: object) -> None:
        self.base, self.settings = base, settings
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Path:
        from django.db import connection

        database = os.environ.get("DATABASE_URL") or f"sqlite:///{connection.settings_dict['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "XERO_LOGIN_URL": self.base,
            "XERO_IDENTITY_URL": self.base,
            "XERO_API_URL": self.base,
            "XERO_CLIENT_ID": str(getattr(self.settings, "XERO_CLIENT_ID", "")),
            "XERO_CLIENT_SECRET": str(getattr(self.settings, "XERO_CLIENT_SECRET", "")),
            "XERO_PLAN": "advanced",
        }
        log_dir = ROOT / "var" / "bench" / "practice-workers"
        log_dir.mkdir(parents=True, exist_ok=True)
        for number in range(WORKERS):
            log = (log_dir / f"worker-{number}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "xeroadmin",
                        "worker",
                        "-P",
                        "solo",
                        "-n",
                        f"practice-{number}@%h",
                        "-l",
                        "warning",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        return log_dir

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _database_size(connection: object) -> int:
    vendor = getattr(connection, "vendor", "")
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        if vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        return int(cursor.fetchone()[0])
