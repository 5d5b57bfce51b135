"""`make demo`: prepare the embedded database and demo data, then run web, worker and beat."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from xeroadmin.lib.env import persistent_secret

DEMO_EMAIL = "demo@xeroadmin.local"
# A finance member of the demo workspace (same password): edits the books, connects nothing.
DEMO_FINANCE_EMAIL = "finance@xeroadmin.local"
SANDBOX_PORT = 8765
RECEIVER_PORT = 8766  # a Slack-style receiver that shows the alerts the demo sends it
DEMO_WORKSPACE = "Demo Workspace"
DEMO_CLIENTS = (
    ("Acme Holdings", "PSA-1001", "Managed IT and bookkeeping since 2021."),
    ("Bayside Dental", "PSA-1002", "Two practices; quarterly reporting."),
    # Named like some of the sandbox's organisations, so the org mapping has suggestions.
    ("Harbourside Trading Pty Ltd", "PSA-1003", "Wholesale; monthly close."),
    ("Kingsway Studio", "PSA-1004", "Design studio; UK and US entities."),
    ("Tasman Outfitters", "PSA-1005", "Retail group: outfitters, cafe and trades."),
)
# Enough organisations (over five clients) for the portfolio to mean something at first sight:
# tidy books, with problems planted in the first five (the other clients' are in order).
DEMO_ORGS = 8
DEMO_PROBLEMS = (
    "stale_draft=5,long_overdue=5,no_email=3,duplicate_contact=4,duplicate_bill=2,"
    "bill_no_attachment=3"
)


class Command(BaseCommand):
    help = "Set up the demo (migrations, demo admin, workspace, clients) and run the product."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="web port (default 8000)")
        parser.add_argument(
            "--setup-only", action="store_true", help="prepare the data, start nothing"
        )

    def handle(self, *args: Any, port: int, setup_only: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        password = self._demo_data()
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write(
            self.style.SUCCESS("\nxeroadmin demo is ready.\n")
            + f"  Open      {url}\n"
            + f"  E-mail    {DEMO_EMAIL}\n"
            + f"  Password  {password}\n"
            + f"  Finance   {DEMO_FINANCE_EMAIL} (same password; edits the books only)\n"
            + f"  Mail      {settings.EMAIL_FILE_PATH} (sign-up and invitation e-mails land here)\n"
            + f"  Xero      http://127.0.0.1:{SANDBOX_PORT}/ (the built-in sandbox)\n"
            + f"  Alerts    http://127.0.0.1:{RECEIVER_PORT}/ (a Slack-style receiver)\n"
            + "  Stop      Ctrl-C\n"
        )
        if not setup_only:
            self._run(port)

    @transaction.atomic
    def _demo_data(self) -> str:
        from allauth.account.models import EmailAddress

        from xeroadmin.accounts.models import User
        from xeroadmin.tenancy import services
        from xeroadmin.tenancy.models import Client, Workspace

        password_file = settings.VAR_DIR / "demo_password"
        password = persistent_secret(password_file) if password_file.exists() else ""
        if not password:
            password = "demo-" + secrets.token_urlsafe(9)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(DEMO_EMAIL, password, name="Demo Admin")
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        workspace = Workspace.objects.filter(memberships__user=user, name=DEMO_WORKSPACE).first()
        if workspace is None:
            workspace = services.workspace_create(user=user, name=DEMO_WORKSPACE)
        for name, ref, notes in DEMO_CLIENTS:
            if not Client.objects.filter(workspace=workspace, name=name).exists():
                services.client_create(
                    workspace=workspace, name=name, notes=notes, external_ref=ref
                )
        self._demo_finance(workspace, password)
        self._demo_alerts(workspace, user)
        return password

    def _demo_finance(self, workspace: Any, password: str) -> None:
        from allauth.account.models import EmailAddress

        from xeroadmin.accounts.models import User
        from xeroadmin.tenancy.models import Membership, Role

        finance = User.objects.filter(email=DEMO_FINANCE_EMAIL).first()
        if finance is None:
            finance = User.objects.create_user(DEMO_FINANCE_EMAIL, password, name="Demo Finance")
        elif not finance.check_password(password):
            finance.set_password(password)
            finance.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=finance, email=DEMO_FINANCE_EMAIL, defaults={"verified": True, "primary": True}
        )
        Membership.objects.get_or_create(
            workspace=workspace, user=finance, defaults={"role": Role.FINANCE}
        )

    def _demo_alerts(self, workspace: Any, user: Any) -> None:
        """A Slack-style channel at the demo's receiver, and a workspace rule that sends it
        every invoice approved (a bulk approval shows up there, one message each)."""
        from xeroadmin.alerts.models import Channel, Rule

        channel, _ = Channel.objects.get_or_create(
            workspace=workspace,
            name="Demo receiver (Slack-style)",
            defaults={
                "kind": Channel.Kind.SLACK,
                "url": f"http://127.0.0.1:{RECEIVER_PORT}/slack",
                "created_by": user,
            },
        )
        rule, made = Rule.objects.get_or_create(
            workspace=workspace,
            owner=None,
            condition="invoice_approved",
            defaults={"amount": 0, "created_by": user},
        )
        if made:
            rule.channels.add(channel)

    def _connect(self, sandbox: str, env: dict[str, str]) -> None:
        """Once the sandbox answers, connect its organisations to the demo workspace (the
        first time only), so that the first page after signing in shows the practice."""
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{sandbox}/_sandbox/state", timeout=2).close()  # noqa: S310 - our own sandbox
                break
            except OSError:
                time.sleep(0.5)
        command = [sys.executable, "manage.py", "demo_connect"]
        command += ["--email", DEMO_EMAIL, "--workspace", DEMO_WORKSPACE, "--leave", "1"]
        subprocess.run(command, env=env, check=False)  # noqa: S603

    def _run(self, port: int) -> None:
        from honcho.manager import Manager

        python = sys.executable
        # Production-like: DEBUG off, so the secrets kept in var/ are passed explicitly.
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_PROXY_SSL_HEADER": "False",
            "SECURE_COOKIES": "False",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "False",
            "SECURE_HSTS_PRELOAD": "False",
            "PYTHONUNBUFFERED": "1",
            # The demo's alert receiver listens on this machine, over plain http.
            "OUTBOUND_ALLOW_LOOPBACK": "True",
        }
        # The built-in sandbox stands in for Xero, unless the environment names a real one.
        sandbox = f"http://127.0.0.1:{SANDBOX_PORT}"
        for name, value in {
            "XERO_LOGIN_URL": sandbox,
            "XERO_IDENTITY_URL": sandbox,
            "XERO_API_URL": sandbox,
            "XERO_CLIENT_ID": "sandbox-web-client",
            "XERO_CLIENT_SECRET": "sandbox-web-secret",
            "XERO_WEBHOOK_KEY": "sandbox-webhook-key",
        }.items():
            env.setdefault(name, value)
        # Hashed static files for whitenoise, collected under the same settings the server runs.
        subprocess.run(  # noqa: S603
            [python, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True
        )
        processes = {
            # No access log: invitation and e-mail confirmation links carry tokens in the path.
            "web": f"{python} -m gunicorn xeroadmin.wsgi -b 127.0.0.1:{port} -w 2 --threads 4",
            "worker": f"{python} -m celery -A xeroadmin worker -P solo -l info",
            "beat": f"{python} -m celery -A xeroadmin beat -l info",
            # The offline Xero, keeping its books in var/ across restarts.
            # It delivers webhooks to the demo's receiver, signed with its default key.
            "xero": f"{python} manage.py xero_sandbox --port {SANDBOX_PORT} --orgs {DEMO_ORGS} "
            f"--state {settings.VAR_DIR / 'sandbox-state.json'} --simulate-every 60 "
            f"--tidy --plant {DEMO_PROBLEMS} --plant-over 5 "
            f"--webhook-url http://127.0.0.1:{port}/webhooks/xero/",
            "receiver": f"{python} manage.py alert_receiver --port {RECEIVER_PORT}",
        }
        manager = Manager()
        for name, command in processes.items():
            manager.add_process(name, command, env=env, quiet=False)
        threading.Thread(target=self._connect, args=(sandbox, env), daemon=True).start()
        manager.loop()
        # Ctrl-C (or a TERM) is how the demo is meant to stop: that is success, not an error.
        stopped = manager.returncode in (128 + signal.SIGINT, 128 + signal.SIGTERM)
        sys.exit(0 if stopped else manager.returncode)
