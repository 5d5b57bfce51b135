"""`make bench [BENCH=name]`: run the benchmarks on a throwaway embedded database, or, with
`DATABASE_URL` set (PostgreSQL), on a throwaway database of that server."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = [
    "client_list",
    "sandbox",
    "xero_client",
    "sync",
    "sync_budget",
    "invoice_list",
    "contact_picker",
    "portfolio",
    "search",
    "checks",
    "webhooks",
    "bulk",
    "digest",
    "document_list",
    "report_page",
    "sync_bank",
    "mapping_page",
    "users_audit",
    "practice",
]


def main(argv: list[str]) -> int:
    names = argv or SUBJECTS
    unknown = [name for name in names if name not in SUBJECTS]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(SUBJECTS)}")
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="xeroadmin-bench-"))
    # Its own embedded database and secrets, removed afterwards; the results stay in var/bench.
    os.environ.update(
        {
            "XEROADMIN_VAR_DIR": str(scratch),
            "DJANGO_SETTINGS_MODULE": "xeroadmin.settings",
            "DEBUG": "True",
            "CELERY_BROKER_URL": f"sqla+sqlite:///{scratch / 'broker.sqlite3'}",
        }
    )
    server = os.environ.pop("DATABASE_URL", None)
    throwaway = ""
    if server:
        throwaway = f"xeroadmin_bench_{os.getpid()}"
        _database(server, f"CREATE DATABASE {throwaway}")
        os.environ["DATABASE_URL"] = _named(server, throwaway)
        print(f"On PostgreSQL ({throwaway}, dropped afterwards)")
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        from bench import harness

        for name in names:
            print(f"{name}:")
            importlib.import_module(f"bench.{name}").run()
        path = harness.write_results(ROOT / "var" / "bench")
        print(f"Results written to {path.relative_to(ROOT)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if throwaway:
            from django.db import connections

            connections.close_all()
            _database(server or "", f"DROP DATABASE IF EXISTS {throwaway}")
    return 0


def _named(url: str, database: str) -> str:
    """The PostgreSQL URL `url` with another database name."""
    return re.sub(r"/[^/?]*(\?|$)", rf"/{database}\1", url, count=1)


def _database(server: str, statement: str) -> None:
    """Run CREATE or DROP DATABASE on the server `server` names, from its maintenance
    database (outside a transaction)."""
    import psycopg

    with psycopg.connect(_named(server, "postgres"), autocommit=True) as connection:
        connection.execute(statement.encode())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
