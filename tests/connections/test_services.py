"""Connecting, refreshing, mapping and disconnecting against the sandbox over real HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connections as db_connections
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import (
    connect,
    consent,
    control,
    first_tenant,
    grant_of,
    organisations,
    query,
    stats,
)
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.connections import clients, mapping, services
from xeroadmin.connections.models import Grant, Tenant
from xeroadmin.tenancy.models import Client
from xeroadmin.xero import oauth
from xeroadmin.xero.errors import (
    XeroConnectionRevoked,
    XeroIdentityRefused,
    XeroOAuthError,
    XeroValidationError,
)

pytestmark = pytest.mark.django_db


def test_it_asks_for_consent_with_pkce_and_a_fresh_state(xero) -> None:
    first = services.connect_start(app=None)
    second = services.connect_start(app=None)
    params = {k: v[0] for k, v in parse_qs(urlsplit(first.url).query).items()}
    assert params["code_challenge_method"] == "S256"
    assert params["state"] == first.state != second.state
    assert len(first.verifier) >= 43
    assert params["redirect_uri"] == "http://localhost:8000/xero/callback/"
    assert "accounting.invoices" in params["scope"].split()
    assert "offline_access" in params["scope"].split()


def test_it_connects_two_organisations_in_one_consent(xero, cast: Cast) -> None:
    orgs = organisations(xero.url)
    result = connect(cast, tenants=[orgs[0]["tenantId"], orgs[1]["tenantId"]])
    assert [t.name for t in result.created] == [orgs[0]["name"], orgs[1]["name"]]
    assert Grant.objects.filter(workspace=cast.workspace).count() == 1
    tenants = Tenant.objects.filter(workspace=cast.workspace)
    assert {t.tenant_id for t in tenants} == {orgs[0]["tenantId"], orgs[1]["tenantId"]}
    assert all(t.connection_id and t.status == Tenant.Status.CONNECTED for t in tenants)
    grant = Grant.objects.get()
    assert grant.xero_user_email == "sandbox.user@example.com"
    assert grant.refresh_token
    assert grant.access_token
    events = ActivityEvent.objects.filter(workspace=cast.workspace, action="connected")
    assert events.count() == 2
    assert all(e.actor == cast.admin.user for e in events)


def test_it_relinks_a_reconnected_organisation_by_tenant_id(xero, cast: Cast) -> None:
    orgs = organisations(xero.url)
    first = connect(cast, tenants=[orgs[0]["tenantId"]])
    tenant = first.created[0]
    tenant.client = cast.client_a
    tenant.save()
    second = connect(cast, tenants=[orgs[0]["tenantId"], orgs[2]["tenantId"]])
    assert [t.pk for t in second.relinked] == [tenant.pk]
    assert [t.tenant_id for t in second.created] == [orgs[2]["tenantId"]]
    assert Tenant.objects.filter(workspace=cast.workspace).count() == 2
    assert Grant.objects.filter(workspace=cast.workspace).count() == 1
    tenant.refresh_from_db()
    assert tenant.client == cast.client_a  # the mapping survives


def test_it_refuses_a_replayed_code_and_a_wrong_verifier(xero, cast: Cast) -> None:
    authorization = services.connect_start(app=None)
    back = query(consent(authorization.url))
    credentials = clients.app_credentials(None)
    with pytest.raises(XeroOAuthError) as wrong:
        oauth.exchange_code(
            credentials, code=back["code"], redirect_uri=services.redirect_uri(), verifier="x" * 50
        )
    assert wrong.value.error == "invalid_grant"
    # The code was spent by the failed attempt: codes are single use.
    with pytest.raises(XeroOAuthError):
        services.connect_finish(
            workspace=cast.workspace,
            actor=cast.admin.user,
            app=None,
            code=back["code"],
            redirect_uri=services.redirect_uri(),
            verifier=authorization.verifier,
        )
    assert not Tenant.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refreshes_once_when_twenty_threads_find_the_token_expired(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    Grant.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    before = stats(xero.url)["tokens"].get("refresh_token", 0)
    errors: list[BaseException] = []
    names: list[str] = []

    def call() -> None:
        try:
            body = clients.tenant_client(tenant).get("Organisation")
            names.append(body["Organisations"][0]["Name"])
        except BaseException as error:
            errors.append(error)
        finally:
            db_connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(names) == 20
    assert stats(xero.url)["tokens"]["refresh_token"] == before + 1
    grant = Grant.objects.get()
    assert grant.refresh_count == 1
    assert grant.expires_at > timezone.now() + timedelta(minutes=25)


def test_it_marks_needs_reconnect_when_the_refresh_token_expired(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    # Unused refresh tokens die after 60 days; Xero's clock and ours move on together (the
    # sandbox serves from this process), so the id_tokens of the new sign-in are current.
    with time_machine.travel(timezone.now() + timedelta(days=61), tick=True):
        Grant.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(XeroConnectionRevoked):
            clients.tenant_client(tenant).get("Organisation")
        tenant.refresh_from_db()
        assert tenant.status == Tenant.Status.NEEDS_RECONNECT
        assert Grant.objects.get().status == Grant.Status.NEEDS_RECONNECT
        assert ActivityEvent.objects.filter(tenant=tenant, action="needs_reconnect").count() == 1
        # Reconnecting restores the same rows.
        result = connect(cast)
        assert tenant.pk in {t.pk for t in result.relinked}
        tenant.refresh_from_db()
        assert tenant.status == Tenant.Status.CONNECTED
    assert Grant.objects.count() == 1
    assert Grant.objects.get().status == Grant.Status.ACTIVE
    assert clients.tenant_client(tenant).get("Organisation")["Organisations"]


def test_it_renews_a_token_xero_says_expired(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "clock", {"advance": 31 * 60})  # Xero's clock says the token is stale
    body = clients.tenant_client(tenant).get("Organisation")
    assert body["Organisations"][0]["OrganisationID"] == tenant.tenant_id
    assert Grant.objects.get().refresh_count == 1


def test_it_notices_a_disconnect_made_in_xero(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "disconnect", {"tenantId": tenant.tenant_id})
    with pytest.raises(XeroConnectionRevoked):
        clients.tenant_client(tenant).get("Invoices")
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.REMOVED_IN_XERO
    assert ActivityEvent.objects.filter(tenant=tenant, action="removed_in_xero").count() == 1
    # The other organisations of the consent are untouched.
    others = Tenant.objects.exclude(pk=tenant.pk)
    assert {t.status for t in others} == {Tenant.Status.CONNECTED}


def test_it_notices_a_disconnect_when_checking_connections(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "disconnect", {"tenantId": tenant.tenant_id})
    checked = clients.workspace_check(workspace=cast.workspace)
    assert {t.pk: t.status for t in checked}[tenant.pk] == Tenant.Status.REMOVED_IN_XERO


def test_it_waits_out_a_429_and_says_so(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "faults", {"status": 429, "count": 1, "retryAfter": 1, "path": "/api.xro"})
    client = clients.tenant_client(tenant)
    body = client.get("Organisation")
    assert body["Organisations"]
    assert [str(w) for w in client.waits] == ["Xero asked us to wait 1 s (minute limit)."]
    tenant.refresh_from_db()
    assert tenant.last_wait == "Xero asked us to wait 1 s (minute limit)."


def test_it_retries_server_errors(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "faults", {"status": 503, "count": 2, "path": "/api.xro"})
    assert clients.tenant_client(tenant).get("Organisation")["Organisations"]
    assert stats(xero.url)["calls"] >= 1


def test_it_reads_validation_errors_by_element_and_field(xero, cast: Cast) -> None:
    connect(cast)
    client = clients.tenant_client(first_tenant(cast))
    with pytest.raises(XeroValidationError) as error:
        client.put(
            "Contacts",
            {"Contacts": [{"Name": "Valid Ltd"}, {"Name": "Bad", "EmailAddress": "nope"}]},
        )
    elements = error.value.elements
    assert elements
    assert any("EmailAddress" in e.fields for e in elements)
    assert "mail" in str(error.value).lower()


def test_it_connects_a_custom_connection(xero, cast: Cast) -> None:
    tenant = services.custom_connection_create(
        workspace=cast.workspace,
        actor=cast.admin.user,
        name="",
        client_id="sandbox-custom-client",
        client_secret="sandbox-custom-secret",
    )
    assert tenant.tenant_id == organisations(xero.url)[0]["tenantId"]
    assert grant_of(tenant).kind == Grant.Kind.CUSTOM
    assert grant_of(tenant).refresh_token == ""
    Grant.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    tenant.refresh_from_db()
    assert clients.tenant_client(tenant).get("Organisation")["Organisations"]
    assert stats(xero.url)["tokens"]["client_credentials"] == 2


def test_it_refuses_a_custom_connection_with_a_wrong_secret(xero, cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        services.custom_connection_create(
            workspace=cast.workspace,
            actor=cast.admin.user,
            name="",
            client_id="sandbox-custom-client",
            client_secret="wrong",
        )
    assert "client_secret" in error.value.error_dict
    assert not Tenant.objects.exists()
    assert not Grant.objects.exists()


def test_it_suggests_clients_by_name_and_saves_the_whole_table(xero, cast: Cast) -> None:
    connect(cast)
    harbour = Client.objects.create(workspace=cast.workspace, name="Harbourside Trading Pty Ltd")
    tenants = {t.name: t for t in Tenant.objects.filter(workspace=cast.workspace)}
    suggestions = mapping.suggestions(workspace=cast.workspace)
    suggestion = suggestions[tenants["Harbourside Trading (AU)"].pk]
    assert suggestion is not None
    assert suggestion.client == harbour
    assert suggestion.exact
    assert suggestions[tenants["Demo Company (NZ)"].pk] is None
    changed = mapping.mapping_save(
        workspace=cast.workspace,
        actor=cast.admin.user,
        choices={
            tenants["Harbourside Trading (AU)"].pk: str(harbour.pk),
            tenants["Demo Company (NZ)"].pk: mapping.NEW_CLIENT,
            tenants["Kingsway Studio (UK)"].pk: "",
        },
    )
    assert len(changed) == 2
    created = Client.objects.get(workspace=cast.workspace, name="Demo Company (NZ)")
    assert Tenant.objects.get(pk=tenants["Demo Company (NZ)"].pk).client == created
    assert ActivityEvent.objects.filter(category="mapping").count() == 2
    # A rename in Xero refreshes the name and keeps the mapping.
    xero.sandbox.state.orgs[tenants["Harbourside Trading (AU)"].tenant_id].name = "Harbourside Co"
    tenant = Tenant.objects.select_related("grant").get(pk=tenants["Harbourside Trading (AU)"].pk)
    clients.tenant_check(tenant=tenant)
    tenant.refresh_from_db()
    assert tenant.name == "Harbourside Co"
    assert tenant.client == harbour


def test_it_refuses_a_client_of_another_workspace_in_the_mapping(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    foreign = Client.objects.create(workspace=cast.outsider_workspace, name="Not yours")
    with pytest.raises(ValidationError):
        mapping.mapping_save(
            workspace=cast.workspace, actor=cast.admin.user, choices={tenant.pk: str(foreign.pk)}
        )
    tenant.refresh_from_db()
    assert tenant.client is None


def test_it_disconnects_by_connection_id_and_revokes_with_the_last(xero, cast: Cast) -> None:
    orgs = organisations(xero.url)
    connect(cast, tenants=[orgs[0]["tenantId"], orgs[1]["tenantId"]])
    first, second = Tenant.objects.filter(workspace=cast.workspace).order_by("pk")
    assert xero.sandbox.state.world.connections.keys() >= {
        first.connection_id,
        second.connection_id,
    }
    services.tenant_disconnect(tenant=first, actor=cast.admin.user, purge=False)
    assert first.connection_id not in xero.sandbox.state.world.connections
    assert second.connection_id in xero.sandbox.state.world.connections
    first.refresh_from_db()
    assert first.status == Tenant.Status.DISCONNECTED
    assert first.grant is None
    assert Grant.objects.get().status == Grant.Status.ACTIVE
    second = Tenant.objects.select_related("grant").get(pk=second.pk)
    services.tenant_disconnect(tenant=second, actor=cast.admin.user, purge=True)
    assert not Tenant.objects.filter(pk=second.pk).exists()
    grant = Grant.objects.get()
    assert grant.status == Grant.Status.REVOKED
    assert grant.refresh_token == ""
    assert not xero.sandbox.state.world.connections
    assert all(g.revoked for g in xero.sandbox.state.world.grants.values())
    assert ActivityEvent.objects.filter(action="disconnected").count() == 2
    # Reconnecting a kept organisation brings back the same row.
    result = connect(cast, tenants=[orgs[0]["tenantId"]])
    assert [t.pk for t in result.relinked] == [first.pk]


def test_it_keeps_idle_grants_alive(xero, cast: Cast) -> None:
    connect(cast)
    Grant.objects.update(last_refreshed_at=timezone.now() - timedelta(days=8))
    assert clients.grant_keepalive() == 1
    assert Grant.objects.get().refresh_count == 1
    assert clients.grant_keepalive() == 0


def test_it_never_puts_tokens_in_plain_text_in_the_database(xero, cast: Cast) -> None:
    from django.db import connection

    connect(cast)
    grant = Grant.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM connections_grant")
        stored = cursor.fetchone()
    assert grant.access_token not in stored[0]
    assert grant.refresh_token not in stored[1]


def test_it_sends_an_idempotency_key_on_every_write(xero, cast: Cast) -> None:
    connect(cast)
    client = clients.tenant_client(first_tenant(cast))
    body = {"Contacts": [{"Name": "Once Only Ltd"}]}
    first = client.put("Contacts", body, idempotency_key="contact-once")
    again = client.put("Contacts", body, idempotency_key="contact-once")
    assert first["Contacts"][0]["ContactID"] == again["Contacts"][0]["ContactID"]
    # Without a key of its own, each logical write gets a fresh one (Xero's replay is per key).
    other = client.put("Contacts", {"Contacts": [{"Name": "Second Ltd"}]})
    assert other["Contacts"][0]["ContactID"] != first["Contacts"][0]["ContactID"]
    # A write retried after a server error is applied once, under the same key.
    control(xero.url, "faults", {"status": 503, "count": 1, "path": "/api.xro/2.0/Contacts"})
    client.put("Contacts", {"Contacts": [{"Name": "Retried Ltd"}]})
    names = [
        c["Name"] for c in client.get("Contacts", {"where": 'Name=="Retried Ltd"'})["Contacts"]
    ]
    assert names == ["Retried Ltd"]


def test_it_pages_with_a_thousand_records_a_call(xero, cast: Cast) -> None:
    connect(cast)
    client = clients.tenant_client(first_tenant(cast))
    before = stats(xero.url)["calls"]
    pages = list(client.paged("Invoices", "Invoices"))
    assert len(pages) == 1
    assert len(pages[0]) == 60  # every seeded invoice, in one call
    assert stats(xero.url)["calls"] == before + 1


def test_a_person_waits_seconds_for_a_slow_xero_and_workers_wait_longer(
    xero, cast: Cast, monkeypatch
) -> None:
    import time

    from xeroadmin.xero import client as xero_client
    from xeroadmin.xero.errors import XeroUnavailable

    connect(cast)
    tenant = first_tenant(cast)
    clients.tenant_client(tenant, purpose="read").get("Organisation")  # token, connection
    # A person's read: a short read timeout (shortened further here) and one retry.
    read = xero_client.PURPOSES["read"]
    monkeypatch.setitem(
        xero_client.PURPOSES, "read", xero_client.Purpose(read.priority, 5, 1, (5.0, 0.5))
    )
    before = stats(xero.url)["calls"]
    control(xero.url, "faults", {"status": 0, "count": 2, "latencyMs": 1500, "path": "/api.xro"})
    started = time.monotonic()
    with pytest.raises(XeroUnavailable, match="did not answer"):
        clients.tenant_client(tenant, purpose="read").get("Organisation")
    assert time.monotonic() - started < 3
    assert stats(xero.url)["calls"] - before == 2  # the call and its one retry
    # A worker keeps the long timeout: the same slowness is waited out.
    control(xero.url, "faults", {"status": 0, "count": 1, "latencyMs": 1500, "path": "/api.xro"})
    assert clients.tenant_client(tenant).get("Organisation")["Organisations"]
    assert xero_client.PURPOSES["background"].timeout[1] >= 60
    assert xero_client.PURPOSES["write"].retries == 1
    assert xero_client.PURPOSES["write"].timeout[1] <= 15


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        ("signature", "its signature does not match Xero's keys"),
        ("issuer", "it was issued by someone other than Xero"),
        ("audience", "it was issued for another app"),
        ("expired", "it has expired"),
    ],
)
def test_a_sign_in_whose_id_token_does_not_check_out_connects_nothing(
    xero, cast: Cast, fault: str, why: str
) -> None:
    control(xero.url, "identity", {"idTokenFault": fault})
    with pytest.raises(XeroIdentityRefused) as refused:
        connect(cast)
    assert why in str(refused.value)
    assert "Nothing was connected" in str(refused.value)
    assert not Tenant.objects.filter(workspace=cast.workspace).exists()
    assert not Grant.objects.exists()
    # The next sign-in, with a sound id_token, connects and knows who signed in.
    result = connect(cast)
    assert result.created
    assert Grant.objects.get().xero_user_email == "sandbox.user@example.com"


def test_the_id_token_is_checked_against_xeros_published_keys(xero) -> None:
    import base64
    import json as jsonlib

    import requests as http

    from tests.sandbox.helpers import WEB, authorize, exchange, pkce_pair

    config = http.get(f"{xero.url}/.well-known/openid-configuration", timeout=10).json()
    keys = http.get(config["jwks_uri"], timeout=10).json()["keys"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    verifier, challenge = pkce_pair()
    tokens = exchange(
        xero.url, authorize(xero.url, challenge=challenge)["code"][0], verifier=verifier
    ).json()
    for token in (tokens["access_token"], tokens["id_token"]):
        header = jsonlib.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        assert header["alg"] == "RS256"
        assert header["kid"] == keys[0]["kid"]
    claims = oauth.verify_id_token(tokens["id_token"], client_id=WEB[0])
    assert {"idp", "amr", "sid", "at_hash", "auth_time", "nbf", "email", "xero_userid"} <= set(
        claims
    )
    with pytest.raises(XeroIdentityRefused, match="issued for another app"):
        oauth.verify_id_token(tokens["id_token"], client_id="another-app")
