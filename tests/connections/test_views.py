"""The connection pages: the access matrix, and the whole consent flow through the views."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.conftest import Cast
from tests.connections.helpers import connect, consent, first_tenant, organisations
from xeroadmin.connections.models import Grant, Tenant, XeroApp
from xeroadmin.tenancy.models import Client

pytestmark = pytest.mark.django_db


def routes(cast: Cast, tenant: Tenant, app: XeroApp) -> dict[str, tuple[str, set[str]]]:
    ws = cast.workspace.pk
    return {
        "tenant-list": (reverse("connections:tenant-list", args=[ws]), {"GET"}),
        "connect": (reverse("connections:connect", args=[ws]), {"POST"}),
        "mapping-save": (reverse("connections:mapping-save", args=[ws]), {"POST"}),
        "workspace-check": (reverse("connections:workspace-check", args=[ws]), {"POST"}),
        "custom-create": (reverse("connections:custom-create", args=[ws]), {"POST"}),
        "app-list": (reverse("connections:app-list", args=[ws]), {"GET", "POST"}),
        "app-detail": (reverse("connections:app-detail", args=[ws, app.pk]), {"GET", "POST"}),
        "app-delete": (reverse("connections:app-delete", args=[ws, app.pk]), {"POST"}),
        "tenant-detail": (reverse("connections:tenant-detail", args=[ws, tenant.pk]), {"GET"}),
        "tenant-check": (reverse("connections:tenant-check", args=[ws, tenant.pk]), {"POST"}),
        "tenant-disconnect": (
            reverse("connections:tenant-disconnect", args=[ws, tenant.pk]),
            {"GET", "POST"},
        ),
    }


ROUTE_NAMES = [
    "tenant-list",
    "connect",
    "mapping-save",
    "workspace-check",
    "custom-create",
    "app-list",
    "app-detail",
    "app-delete",
    "tenant-detail",
    "tenant-check",
    "tenant-disconnect",
]


@pytest.fixture
def objects(cast: Cast) -> tuple[Tenant, XeroApp]:
    tenant = Tenant.objects.create(workspace=cast.workspace, tenant_id="t-1", name="Acme Ltd")
    app = XeroApp.objects.create(
        workspace=cast.workspace, name="Own", client_id="own-id", client_secret="own-secret"
    )
    return tenant, app


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_sends_anonymous_users_to_sign_in(client, cast: Cast, objects, name: str) -> None:
    url, methods = routes(cast, *objects)[name]
    response = getattr(client, "get" if "GET" in methods else "post")(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_hides_connections_from_outsiders(as_outsider, cast: Cast, objects, name: str) -> None:
    url, methods = routes(cast, *objects)[name]
    for method in methods:
        assert getattr(as_outsider, method.lower())(url).status_code == 404


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_keeps_connections_to_admins(
    as_finance, as_viewer, cast: Cast, objects, name: str
) -> None:
    url, methods = routes(cast, *objects)[name]
    for member in (as_finance, as_viewer):
        for method in methods:
            assert getattr(member, method.lower())(url).status_code == 403


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_refuses_the_wrong_method(as_admin, cast: Cast, objects, name: str) -> None:
    url, methods = routes(cast, *objects)[name]
    wrong = "put"
    assert getattr(as_admin, wrong)(url).status_code == 405
    if "GET" not in methods:
        assert as_admin.get(url).status_code == 405


def test_it_shows_the_empty_page_with_the_scopes_it_asks_for(as_admin, xero, cast: Cast) -> None:
    page = as_admin.get(reverse("connections:tenant-list", args=[cast.workspace.pk]))
    assert page.status_code == 200
    assert b"No organisations connected yet" in page.content
    assert b"accounting.invoices" in page.content
    assert b"Connect to Xero" in page.content


def test_it_asks_for_an_app_when_the_deployment_has_none(as_admin, cast: Cast, settings) -> None:
    settings.XERO_CLIENT_ID = settings.XERO_CLIENT_SECRET = ""
    page = as_admin.get(reverse("connections:tenant-list", args=[cast.workspace.pk]))
    assert b"Add a Xero app first" in page.content
    answer = as_admin.post(reverse("connections:connect", args=[cast.workspace.pk]))
    assert answer.status_code == 302
    assert "Choose the Xero app" in next(str(m) for m in get_messages(answer.wsgi_request))


def start(as_admin, cast: Cast, data: dict[str, str] | None = None) -> str:
    answer = as_admin.post(reverse("connections:connect", args=[cast.workspace.pk]), data or {})
    assert answer.status_code == 302
    return answer["Location"]


def test_it_connects_through_the_views(as_admin, xero, cast: Cast) -> None:
    orgs = organisations(xero.url)
    authorize = start(as_admin, cast)
    assert authorize.startswith(xero.url + "/identity/connect/authorize?")
    assert "code_challenge_method=S256" in authorize
    back = consent(authorize, tenants=[orgs[0]["tenantId"], orgs[1]["tenantId"]])
    assert back.startswith("http://localhost:8000/xero/callback/?")
    landed = as_admin.get(back.removeprefix("http://localhost:8000"), follow=True)
    assert landed.status_code == 200
    assert b"Connected Demo Company (NZ), Harbourside Trading (AU)." in landed.content
    assert orgs[0]["name"].encode() in landed.content
    assert Tenant.objects.filter(workspace=cast.workspace).count() == 2
    # The same return, replayed, connects nothing more and says why.
    again = as_admin.get(back.removeprefix("http://localhost:8000"), follow=True)
    assert b"does not match a connection started here" in again.content
    assert Tenant.objects.filter(workspace=cast.workspace).count() == 2


def test_it_refuses_a_tampered_or_foreign_state(as_admin, as_owner, xero, cast: Cast) -> None:
    back = consent(start(as_admin, cast))
    tampered = back.replace("state=", "state=x")
    answer = as_admin.get(tampered.removeprefix("http://localhost:8000"), follow=True)
    assert b"does not match a connection started here" in answer.content
    # Another user's browser (another session) cannot finish this admin's consent.
    foreign = as_owner.get(back.removeprefix("http://localhost:8000"), follow=True)
    assert b"does not match a connection started here" in foreign.content
    assert not Tenant.objects.exists()


def test_it_says_so_kindly_when_access_is_denied(as_admin, xero, cast: Cast) -> None:
    back = consent(start(as_admin, cast), decision="deny")
    answer = as_admin.get(back.removeprefix("http://localhost:8000"), follow=True)
    assert answer.status_code == 200
    assert b"access was not granted, so nothing was connected" in answer.content
    assert not Tenant.objects.exists()


def test_it_connects_through_a_workspaces_own_app(as_admin, xero, cast: Cast) -> None:
    import requests

    requests.post(
        f"{xero.url}/_sandbox/apps",
        json={
            "clientId": "own-app",
            "clientSecret": "own-secret",
            "redirectUris": ["http://localhost:8000/xero/callback/"],
        },
        timeout=10,
    ).raise_for_status()
    ws = cast.workspace.pk
    created = as_admin.post(
        reverse("connections:app-list", args=[ws]),
        {"name": "Our app", "client_id": "own-app", "client_secret": "own-secret", "scopes": ""},
    )
    app = XeroApp.objects.get(workspace=cast.workspace)
    assert created["Location"] == reverse("connections:app-detail", args=[ws, app.pk])
    detail = as_admin.get(created["Location"])
    assert b"http://localhost:8000/xero/callback/" in detail.content
    assert f"/webhooks/xero/{app.webhook_token}/".encode() in detail.content
    assert b"own-secret" not in detail.content  # secrets are write-only
    back = consent(start(as_admin, cast, {"app": str(app.pk)}))
    as_admin.get(back.removeprefix("http://localhost:8000"))
    assert Grant.objects.get().app == app
    # This app has no Bulk Connections: one organisation per consent.
    assert Tenant.objects.filter(grant__app=app).count() == 1


def test_it_saves_the_mapping_table_in_one_request(as_admin, xero, cast: Cast) -> None:
    connect(cast)
    tenants = list(Tenant.objects.filter(workspace=cast.workspace).order_by("name"))
    url = reverse("connections:mapping-save", args=[cast.workspace.pk])
    data = {f"map-{tenants[0].pk}": str(cast.client_a.pk), f"map-{tenants[1].pk}": "new"}
    answer = as_admin.post(url, data, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert b'id="mapping-table"' in answer.content
    assert b"<html" not in answer.content
    assert b"2 organisations changed" in answer.content
    # The activity list beside the table is refreshed in the same answer.
    assert b'id="connection-activity" hx-swap-oob="true"' in answer.content
    assert f"{tenants[0].name} mapped to {cast.client_a.name}".encode() in answer.content
    assert Tenant.objects.get(pk=tenants[0].pk).client == cast.client_a
    mapped = Tenant.objects.get(pk=tenants[1].pk).client
    assert mapped is not None
    assert mapped.name == tenants[1].name
    bad = as_admin.post(url, {f"map-{tenants[0].pk}": "999999"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert b"Select a valid choice" in bad.content
    assert Tenant.objects.get(pk=tenants[0].pk).client == cast.client_a


def test_it_disconnects_through_the_views(as_admin, xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    url = reverse("connections:tenant-disconnect", args=[cast.workspace.pk, tenant.pk])
    confirm = as_admin.get(url)
    assert b"Keep them, read-only" in confirm.content
    done = as_admin.post(url, {"books": "keep"}, follow=True)
    assert b"is disconnected" in done.content
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.DISCONNECTED


def test_it_shows_health_and_warns_every_page_of_a_needed_reconnect(
    as_admin, as_finance, xero, cast: Cast
) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    tenant.client = cast.client_a
    tenant.save()
    detail = as_admin.get(reverse("connections:tenant-detail", args=[cast.workspace.pk, tenant.pk]))
    assert b"Connection health" in detail.content
    assert b"accounting.invoices" in detail.content
    home = as_finance.get(reverse("tenancy:workspace-detail", args=[cast.workspace.pk]))
    assert tenant.name.encode() in home.content
    assert b"connected" in home.content
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    page = as_finance.get(reverse("tenancy:client-list", args=[cast.workspace.pk]))
    assert b'id="connection-alerts"' in page.content
    assert b"Ask an admin of this workspace to reconnect" in page.content


def test_it_refuses_a_custom_connection_with_a_wrong_secret(as_admin, xero, cast: Cast) -> None:
    url = reverse("connections:custom-create", args=[cast.workspace.pk])
    answer = as_admin.post(url, {"client_id": "sandbox-custom-client", "client_secret": "nope"})
    assert answer.status_code == 200
    assert b"Check the client id and secret" in answer.content
    assert b"nope" not in answer.content
    good = as_admin.post(
        url, {"client_id": "sandbox-custom-client", "client_secret": "sandbox-custom-secret"}
    )
    assert good.status_code == 302
    assert Tenant.objects.filter(workspace=cast.workspace).count() == 1


def test_it_keeps_apps_with_connected_organisations(as_admin, cast: Cast, objects) -> None:
    tenant, app = objects
    grant = Grant.objects.create(
        workspace=cast.workspace,
        app=app,
        client_id=app.client_id,
        access_token="a",
        expires_at="2030-01-01T00:00Z",
    )
    Tenant.objects.filter(pk=tenant.pk).update(grant=grant)
    answer = as_admin.post(
        reverse("connections:app-delete", args=[cast.workspace.pk, app.pk]), follow=True
    )
    assert b"disconnect them first" in answer.content
    assert XeroApp.objects.filter(pk=app.pk).exists()
    assert Client.objects.filter(workspace=cast.workspace).count() == 2
