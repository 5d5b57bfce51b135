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
        "mapping-accept-exact": (
            reverse("connections:mapping-accept-exact", args=[ws]),
            {"POST"},
        ),
        "mapping-export": (reverse("connections:mapping-export", args=[ws]), {"GET"}),
        "mapping-import": (reverse("connections:mapping-import", args=[ws]), {"GET", "POST"}),
        "client-options": (
            reverse("connections:client-options", args=[ws, tenant.pk]),
            {"GET"},
        ),
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
    "mapping-accept-exact",
    "mapping-export",
    "mapping-import",
    "client-options",
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


def test_it_saves_a_page_of_the_mapping_table_in_one_request(as_admin, xero, cast: Cast) -> None:
    connect(cast)
    tenants = list(Tenant.objects.filter(workspace=cast.workspace).order_by("name"))
    url = reverse("connections:mapping-save", args=[cast.workspace.pk])
    first, second, third = (t.pk for t in tenants[:3])
    data = {
        "row": [first, second, third],
        # Chosen from the picker; "New client" from the picker; a name typed in full.
        f"map-{first}": str(cast.client_a.pk),
        f"client-{first}": cast.client_a.name,
        f"map-{second}": "new",
        f"client-{second}": f"New client “{tenants[1].name}”",
        f"map-{third}": "",
        f"client-{third}": cast.client_b.name.upper(),
    }
    answer = as_admin.post(url, data, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert b'id="mapping-table"' in answer.content
    assert b"<html" not in answer.content
    assert b"3 organisations changed" in answer.content
    # The activity list beside the table is refreshed in the same answer.
    assert b'id="connection-activity" hx-swap-oob="true"' in answer.content
    assert f"{tenants[0].name} mapped to {cast.client_a.name}".encode() in answer.content
    assert Tenant.objects.get(pk=first).client == cast.client_a
    mapped = Tenant.objects.get(pk=second).client
    assert mapped is not None
    assert mapped.name == tenants[1].name
    assert Tenant.objects.get(pk=third).client == cast.client_b
    # A name no client has is refused on its row, with what was typed kept; nothing is saved.
    bad = {
        "row": [first, third],
        f"map-{first}": "",
        f"client-{first}": "Nobody Of That Name",
        f"map-{third}": "",
        f"client-{third}": "",
    }
    refused = as_admin.post(url, bad, headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert "No client is called “Nobody Of That Name”".encode() in refused.content
    assert b'value="Nobody Of That Name"' in refused.content
    assert Tenant.objects.get(pk=first).client == cast.client_a
    assert Tenant.objects.get(pk=third).client == cast.client_b
    # Cleared, the row is unmapped.
    as_admin.post(url, {"row": [third], f"map-{third}": "", f"client-{third}": ""})
    assert Tenant.objects.get(pk=third).client is None


def test_the_mapping_table_is_searched_filtered_and_paged(as_admin, cast: Cast) -> None:
    for number in range(60):
        Tenant.objects.create(
            workspace=cast.workspace, tenant_id=f"t-{number}", name=f"Organisation {number:02d}"
        )
    Tenant.objects.filter(tenant_id="t-7").update(client=cast.client_a)
    url = reverse("connections:tenant-list", args=[cast.workspace.pk])
    first = as_admin.get(url)
    assert b"1\xe2\x80\x9350 of 60" in first.content
    assert first.content.count(b'name="row"') == 50
    # One drop-down of every client per row is gone: one picker per row instead.
    assert b"<select" not in first.content.split(b'id="mapping-table"')[1]
    second = as_admin.get(
        url, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "mapping-table"}
    )
    assert b"<html" not in second.content
    assert second.content.count(b'name="row"') == 10
    found = as_admin.get(
        url, {"q": "anisation 4"}, headers={"HX-Request": "true", "HX-Target": "mapping-table"}
    )
    assert found.content.count(b'name="row"') == 10
    by_client = as_admin.get(url, {"q": cast.client_a.name[:5]})
    assert by_client.content.count(b'name="row"') == 1
    unmapped = as_admin.get(url, {"view": "unmapped"})
    assert b"1\xe2\x80\x9350 of 59" in unmapped.content
    nothing = as_admin.get(url, {"q": "zzz"})
    assert "No organisation matches “zzz”".encode() in nothing.content


def test_the_client_picker_offers_clients_a_new_client_and_none(as_admin, cast: Cast) -> None:
    tenant = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-1", name="Acme Holdings Ltd"
    )
    for number in range(30):
        Client.objects.create(workspace=cast.workspace, name=f"Client {number:02d}")
    url = reverse("connections:client-options", args=[cast.workspace.pk, tenant.pk])
    # Empty: the suggestion first (the cast's "Acme Holdings" is an exact match).
    empty = as_admin.get(url).content.decode()
    assert empty.index("Acme Holdings") < empty.index("Client 00")
    typed = as_admin.get(url, {f"client-{tenant.pk}": "client 1"}).content.decode()
    assert typed.count('role="option"') == 10 + 1  # Client 10 to 19, and "Not mapped"
    assert 'data-value="none"' in typed
    # "Acme Holdings" is already the organisation's name, written another way.
    assert "New client" not in typed
    other = Tenant.objects.create(workspace=cast.workspace, tenant_id="t-2", name="Zeta Ltd")
    url = reverse("connections:client-options", args=[cast.workspace.pk, other.pk])
    assert "New client “Zeta Ltd”" in as_admin.get(url).content.decode()


def test_every_exact_match_is_mapped_at_once(as_admin, cast: Cast) -> None:
    exact = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-1", name="Acme Holdings Limited"
    )
    near = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-2", name="Bayside Dental Clinic"
    )
    page = as_admin.get(reverse("connections:tenant-list", args=[cast.workspace.pk]))
    assert b"Exact match (same name)" in page.content
    assert b"Near match (similar name)" in page.content
    answer = as_admin.post(reverse("connections:mapping-accept-exact", args=[cast.workspace.pk]))
    assert answer.status_code == 302
    assert Tenant.objects.get(pk=exact.pk).client == cast.client_a
    assert Tenant.objects.get(pk=near.pk).client is None


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
