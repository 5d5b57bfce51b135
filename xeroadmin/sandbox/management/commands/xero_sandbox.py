"""`python manage.py xero_sandbox`: run the offline Xero in the foreground."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeroadmin.sandbox import state as state_io
from xeroadmin.sandbox.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_CUSTOM_ID,
    DEFAULT_CUSTOM_SECRET,
    DEFAULT_WEBHOOK_KEY,
    Config,
    Sandbox,
)
from xeroadmin.sandbox.plant import KINDS, CannotPlant
from xeroadmin.sandbox.server import serve


def _problems(text: str) -> dict[str, int]:
    """`--plant`'s "kind=count,kind=count" as a dict, or a clear error."""
    problems: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, count = part.partition("=")
        if kind not in KINDS or not count.isdigit():
            raise CommandError(f"--plant takes KIND=N with KIND one of {', '.join(KINDS)}.")
        problems[kind] = int(count)
    return problems


class Command(BaseCommand):
    help = (
        "Run the Xero sandbox: identity, Accounting API, webhooks and the /_sandbox/ control API."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
        parser.add_argument(
            "--seed", type=int, default=42, help="seed for the demo books (default 42)"
        )
        parser.add_argument("--orgs", type=int, default=3, help="organisations (default 3)")
        parser.add_argument(
            "--invoices-per-org", type=int, default=200, help="invoices each (default 200)"
        )
        parser.add_argument(
            "--contacts-per-org", type=int, default=50, help="contacts each (default 50)"
        )
        parser.add_argument(
            "--bank-transactions-per-org",
            type=int,
            default=10,
            help="spend and receive money each (default 10)",
        )
        parser.add_argument(
            "--tidy",
            action="store_true",
            help="tidy books: nothing overdue long, no old drafts, no duplicates, every "
            "contact with an e-mail address (so that planted problems are the only ones)",
        )
        parser.add_argument(
            "--plant",
            default="",
            metavar="KIND=N[,KIND=N...]",
            help="plant problems in the books: stale_draft, long_overdue, no_email, "
            "duplicate_contact, duplicate_bill, bill_no_attachment",
        )
        parser.add_argument(
            "--plant-over",
            type=int,
            default=0,
            metavar="N",
            help="plant them over the first N organisations only (default all)",
        )
        parser.add_argument(
            "--state", type=Path, help="load state from FILE if present, save it on exit"
        )
        parser.add_argument(
            "--no-rate-limits", action="store_true", help="turn Xero's rate limits off"
        )
        parser.add_argument(
            "--bulk-connections",
            action="store_true",
            help="let the web app's consent tick several organisations at once (Xero's Bulk "
            "Connections); without it, one organisation per consent, as most apps have",
        )
        parser.add_argument(
            "--daily-limit",
            type=int,
            default=5000,
            help="calls a day per app and organisation (Xero's Starter plan: 1000)",
        )
        parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="web app client id")
        parser.add_argument(
            "--client-secret", default=DEFAULT_CLIENT_SECRET, help="web app client secret"
        )
        parser.add_argument(
            "--custom-client-id", default=DEFAULT_CUSTOM_ID, help="Custom Connection client id"
        )
        parser.add_argument(
            "--custom-client-secret", default=DEFAULT_CUSTOM_SECRET, help="Custom Connection secret"
        )
        parser.add_argument(
            "--webhook-url", default="", help="where the web app's webhooks are delivered"
        )
        parser.add_argument(
            "--webhook-key", default=DEFAULT_WEBHOOK_KEY, help="the web app's webhook signing key"
        )
        parser.add_argument(
            "--simulate-every", type=float, default=0.0, help="simulate activity every N seconds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options["orgs"] < 1
            or options["invoices_per_org"] < 0
            or options["contacts_per_org"] < 2
        ):
            raise CommandError("--orgs must be at least 1, --contacts-per-org at least 2.")
        plant = _problems(options["plant"])
        config = Config(
            seed=options["seed"],
            orgs=options["orgs"],
            invoices_per_org=options["invoices_per_org"],
            contacts_per_org=options["contacts_per_org"],
            bank_transactions_per_org=max(options["bank_transactions_per_org"], 0),
            rate_limits=not options["no_rate_limits"],
            daily_limit=options["daily_limit"],
            bulk_connections=options["bulk_connections"],
            client_id=options["client_id"],
            client_secret=options["client_secret"],
            custom_client_id=options["custom_client_id"],
            custom_client_secret=options["custom_client_secret"],
            webhook_url=options["webhook_url"],
            webhook_key=options["webhook_key"],
            tidy=options["tidy"],
            plant=plant,
            plant_over=max(options["plant_over"], 0),
        )
        try:
            sandbox = Sandbox(config)
        except CannotPlant as error:
            raise CommandError(f"Cannot plant those problems: {error}.") from None
        state_file: Path | None = options["state"]
        if state_file and state_file.exists():
            state_io.load(sandbox.state, state_file)
            # What the command line says about the web app wins over what was saved.
            app = sandbox.state.apps.get(config.client_id)
            if app is not None and options["webhook_url"]:
                app.webhook_url = config.webhook_url
        try:
            server = serve(sandbox, options["host"], options["port"])
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {error}"
            ) from None
        base = f"http://{options['host']}:{server.port}"
        self._banner(sandbox, base, options)
        sandbox.webhooks.start()
        if options["simulate_every"] > 0:
            sandbox.simulate_control({"every": options["simulate_every"]}, base)

        def stop(signum: int, frame: Any) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            server.serve_forever()
        finally:
            sandbox.webhooks.stop()
            if state_file:
                state_io.save(sandbox.state, state_file)
                self.stdout.write(f"State saved to {state_file}")

    def _banner(self, sandbox: Sandbox, base: str, options: dict[str, Any]) -> None:
        c = sandbox.config
        orgs = "\n".join(f"    {o.name:<32} {o.id}" for o in sandbox.state.orgs.values())
        self.stdout.write(
            f"Xero sandbox listening on {base}\n"
            f"  XERO_LOGIN_URL     {base}/identity/connect/authorize\n"
            f"  XERO_IDENTITY_URL  {base}   (token: /connect/token, revocation: /connect/revocation)\n"
            f"  XERO_API_URL       {base}   (connections: /connections, accounting: /api.xro/2.0)\n"
            f"  Web app            client id {c.client_id}, secret {c.client_secret}\n"
            f"                     redirect URIs: any http://localhost:* or http://127.0.0.1:*\n"
            f"  Custom Connection  client id {c.custom_client_id}, secret {c.custom_client_secret}\n"
            f"  Webhooks           {c.webhook_url or '(no URL: set --webhook-url)'} signed with key {c.webhook_key}\n"
            f"  Rate limits        {'on' if c.rate_limits else 'off'}; control API at {base}/_sandbox/\n"
            f"  Organisations:\n{orgs}\n"
        )
