"""`python manage.py demo_connect`: connect the built-in sandbox's organisations to the demo
workspace (once: nothing happens if it has organisations already), with the XERO_* settings
pointing at the sandbox. `make demo` runs it as soon as the sandbox answers."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeroadmin.accounts.models import User
from xeroadmin.connections.demo import connect_practice
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.models import Workspace

# Which client each of the sandbox's organisations belongs to (the rest: as their names suggest).
PLACEMENT = {
    "Demo Company (NZ)": "Acme Holdings",
    "Maple Street Supplies (US)": "Kingsway Studio",
    "Coral Coast Cafe (AU)": "Tasman Outfitters",
    "Pohutukawa Plumbing (NZ)": "Tasman Outfitters",
    "Granite Peak Builders (US)": "Bayside Dental",
}


class Command(BaseCommand):
    help = "Connect the sandbox's organisations to the demo workspace and map them to clients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the demo admin's e-mail address")
        parser.add_argument("--workspace", required=True, help="the demo workspace's name")
        parser.add_argument(
            "--leave", type=int, default=0, help="organisations to leave unconnected (the last)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"]).first()
        workspace = Workspace.objects.filter(
            memberships__user=user, name=options["workspace"]
        ).first()
        if user is None or workspace is None:
            raise CommandError("No demo workspace: run `manage.py demo --setup-only` first.")
        if Tenant.objects.filter(workspace=workspace).exists():
            self.stdout.write("The demo workspace has organisations already; nothing to do.")
            return
        # One is left for the admin to connect ("Connect another organisation").
        connected = connect_practice(workspace, user, PLACEMENT, leave=options["leave"])
        # "Sign in with Xero" in the demo signs the admin in: the sandbox's Xero user is them.
        requests.post(
            f"{settings.XERO_LOGIN_URL}/_sandbox/identity",
            json={"email": user.email, "givenName": "Demo", "familyName": "Admin"},
            timeout=10,
        )
        self.stdout.write(f"Connected {connected} organisations to {workspace.name}.")
