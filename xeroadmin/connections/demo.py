"""The demo's organisations connected for it, through the built-in sandbox's consent page as
an admin's browser would go (one organisation per consent), each mapped to its client: so
that the first page after signing in already shows a practice, not an empty table."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings

from xeroadmin.accounts.models import User
from xeroadmin.connections import mapping, services
from xeroadmin.connections.models import Tenant
from xeroadmin.connections.signals import organisation_connected
from xeroadmin.tenancy.models import Client, Workspace

TIMEOUT = 10


def consent(
    authorize_url: str, *, tenants: list[str] | None = None, decision: str = "allow"
) -> str:
    """Open the sandbox's consent page, tick `tenants` (what the page offers first when None),
    press a button; returns the URL Xero sends the browser back to."""
    page = requests.get(authorize_url, timeout=TIMEOUT)
    page.raise_for_status()
    action = urlsplit(authorize_url)._replace(path="/identity/connect/authorize", query="").geturl()
    hidden = re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text)
    offered = (
        re.findall(r"name='tenant' value='([^']+)'", page.text)
        or re.findall(r"<option value='([^']+)'", page.text)[:1]
    )
    data = [*hidden, ("decision", decision)]
    data += [("tenant", t) for t in (offered if tenants is None else tenants)]
    answer = requests.post(action, data=data, allow_redirects=False, timeout=TIMEOUT)
    if answer.status_code != 302:
        raise RuntimeError(f"the consent page answered {answer.status_code}")
    return answer.headers["Location"]


def connect_one(
    workspace: Workspace, actor: User, *, tenants: list[str] | None = None
) -> services.ConnectResult:
    """One consent on the sandbox's page, finished as the callback view finishes it."""
    authorization = services.connect_start(app=None)
    back = {
        k: v[0]
        for k, v in parse_qs(urlsplit(consent(authorization.url, tenants=tenants)).query).items()
    }
    if back.get("state") != authorization.state or "code" not in back:
        raise RuntimeError(f"the sandbox refused the consent: {back.get('error', 'no code')}")
    return services.connect_finish(
        workspace=workspace,
        actor=actor,
        app=None,
        code=back["code"],
        redirect_uri=services.redirect_uri(),
        verifier=authorization.verifier,
    )


def connect_practice(
    workspace: Workspace, actor: User, placement: dict[str, str], *, leave: int = 0
) -> int:
    """Connect the organisations the sandbox has (all but the last `leave`, left for a person
    to connect), one consent each, and map each to the client `placement` names for it (else
    the one its name suggests); returns how many."""
    state = requests.get(f"{settings.XERO_LOGIN_URL}/_sandbox/state", timeout=TIMEOUT).json()
    clients = {c.name: c for c in Client.objects.filter(workspace=workspace)}
    connected = 0
    organisations = state["organisations"]
    for organisation in organisations[: len(organisations) - leave]:
        for tenant in connect_one(workspace, actor, tenants=[organisation["tenantId"]]).tenants:
            organisation_connected.send(Tenant, tenant=tenant, actor=actor)
            connected += 1
    suggested = mapping.suggestions(workspace=workspace)
    choices = {}
    for tenant in Tenant.objects.filter(workspace=workspace, client__isnull=True):
        suggestion = suggested.get(tenant.pk)
        client = clients.get(placement.get(tenant.name, "")) or (
            suggestion.client if suggestion else None
        )
        if client is not None:
            choices[tenant.pk] = str(client.pk)
    mapping.mapping_save(workspace=workspace, actor=actor, choices=choices)
    return connected
