"""OAuth2 as Xero does it: consent, PKCE, single-use codes, rotating refresh tokens, revocation,
client credentials and /connections."""

from __future__ import annotations

import base64
import json
from xml.etree import ElementTree

import requests

from tests.sandbox.helpers import (
    CUSTOM,
    REDIRECT,
    SCOPES,
    WEB,
    Xero,
    authorize,
    connect,
    exchange,
    pkce_pair,
    refresh,
)
from tests.xero_contract import require_spec, validating_session


def claims(jwt: str) -> dict:
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_it_shows_a_consent_page_with_scopes_and_organisations(xero_sandbox) -> None:
    page = requests.get(
        f"{xero_sandbox.url}/identity/connect/authorize",
        params={
            "response_type": "code",
            "client_id": WEB[0],
            "redirect_uri": REDIRECT,
            "scope": SCOPES,
            "state": "x",
        },
        timeout=10,
    )
    assert page.status_code == 200
    assert "accounting.invoices" in page.text
    for org in xero_sandbox.sandbox.state.orgs.values():
        assert org.name in page.text


def test_it_refuses_an_unknown_client_or_redirect_without_redirecting(xero_sandbox) -> None:
    base = f"{xero_sandbox.url}/identity/connect/authorize"
    common = {"response_type": "code", "scope": SCOPES}
    wrong_client = requests.get(
        base,
        params=common | {"client_id": "nope", "redirect_uri": REDIRECT},
        allow_redirects=False,
        timeout=10,
    )
    assert wrong_client.status_code == 400
    assert "Unknown client_id" in wrong_client.text
    wrong_uri = requests.get(
        base,
        params=common | {"client_id": WEB[0], "redirect_uri": "https://evil.example/cb"},
        allow_redirects=False,
        timeout=10,
    )
    assert wrong_uri.status_code == 400
    assert "redirect_uri" in wrong_uri.text


def test_it_sends_scope_and_response_type_errors_back_to_the_app(xero_sandbox) -> None:
    base = f"{xero_sandbox.url}/identity/connect/authorize"
    common = {"client_id": WEB[0], "redirect_uri": REDIRECT, "state": "s1"}
    bad_scope = requests.get(
        base,
        params=common | {"response_type": "code", "scope": "openid accounting.everything"},
        allow_redirects=False,
        timeout=10,
    )
    assert bad_scope.status_code == 302
    assert "error=invalid_scope" in bad_scope.headers["Location"]
    assert "state=s1" in bad_scope.headers["Location"]
    bad_type = requests.get(
        base,
        params=common | {"response_type": "token", "scope": SCOPES},
        allow_redirects=False,
        timeout=10,
    )
    assert "error=unsupported_response_type" in bad_type.headers["Location"]


def test_it_accepts_the_older_broad_scopes(xero_sandbox) -> None:
    query = authorize(
        xero_sandbox.url, scope="offline_access accounting.transactions accounting.contacts"
    )
    assert "code" in query


def test_it_answers_deny_with_access_denied(xero_sandbox) -> None:
    query = authorize(xero_sandbox.url, decision="deny")
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["st-1"]


def test_it_connects_several_organisations_in_one_consent(xero_sandbox) -> None:
    require_spec()
    tokens, connections = connect(xero_sandbox.url)
    assert {
        "access_token",
        "refresh_token",
        "id_token",
        "expires_in",
        "token_type",
        "scope",
    } <= tokens.keys()
    assert tokens["expires_in"] == 1800
    assert len(connections) == 3
    event = claims(tokens["access_token"])["authentication_event_id"]
    assert {c["authEventId"] for c in connections} == {event}
    filtered = validating_session().get(
        f"{xero_sandbox.url}/connections",
        params={"authEventId": event},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert len(filtered.json()) == 3
    assert claims(tokens["id_token"])["email"] == "sandbox.user@example.com"


def test_it_connects_only_the_organisations_ticked(xero_sandbox) -> None:
    first = next(iter(xero_sandbox.sandbox.state.orgs))
    query = authorize(xero_sandbox.url, tenants=[first])
    tokens = exchange(xero_sandbox.url, query["code"][0]).json()
    connections = requests.get(
        f"{xero_sandbox.url}/connections",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ).json()
    assert [c["tenantId"] for c in connections] == [first]


def test_it_verifies_pkce(xero_sandbox) -> None:
    verifier, challenge = pkce_pair()
    query = authorize(xero_sandbox.url, challenge=challenge)
    wrong = exchange(xero_sandbox.url, query["code"][0], verifier="x" * 50)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    query = authorize(xero_sandbox.url, challenge=challenge)
    assert exchange(xero_sandbox.url, query["code"][0], verifier=verifier).status_code == 200


def test_it_uses_a_code_once_and_only_for_five_minutes(xero_sandbox) -> None:
    query = authorize(xero_sandbox.url)
    code = query["code"][0]
    assert (
        exchange(xero_sandbox.url, code, basic=False).status_code == 200
    )  # form-field client auth
    replay = exchange(xero_sandbox.url, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    late = authorize(xero_sandbox.url)["code"][0]
    xero_sandbox.sandbox.state.clock.advance(301)
    assert exchange(xero_sandbox.url, late).json()["error"] == "invalid_grant"


def test_it_rejects_a_wrong_client_secret(xero_sandbox) -> None:
    code = authorize(xero_sandbox.url)["code"][0]
    answer = requests.post(
        f"{xero_sandbox.url}/connect/token",
        auth=(WEB[0], "wrong"),
        timeout=10,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}


def test_it_rotates_refresh_tokens_with_a_grace_period(xero_sandbox) -> None:
    tokens, _ = connect(xero_sandbox.url)
    first = tokens["refresh_token"]
    second = refresh(xero_sandbox.url, first).json()
    assert second["refresh_token"] != first
    # The response was "lost": retrying the old token within 30 minutes still works.
    retry = refresh(xero_sandbox.url, first).json()
    assert retry["refresh_token"] == second["refresh_token"]
    xero_sandbox.sandbox.state.clock.advance(31 * 60)
    assert refresh(xero_sandbox.url, first).json()["error"] == "invalid_grant"
    third = refresh(xero_sandbox.url, second["refresh_token"])
    assert third.status_code == 200


def test_it_expires_access_tokens_after_thirty_minutes(xero_sandbox) -> None:
    require_spec()
    tokens, connections = connect(xero_sandbox.url)
    xero = Xero(xero_sandbox.url, tokens["access_token"], connections[0]["tenantId"])
    assert xero.get("Organisation").status_code == 200
    xero_sandbox.sandbox.state.clock.advance(1801)
    expired = xero.get("Organisation")
    assert expired.status_code == 401
    assert expired.json()["Detail"].startswith("TokenExpired")


def test_it_expires_refresh_tokens_unused_for_sixty_days(xero_sandbox) -> None:
    tokens, _ = connect(xero_sandbox.url)
    xero_sandbox.sandbox.state.clock.advance(61 * 24 * 3600)
    assert refresh(xero_sandbox.url, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_it_revokes_a_grant_and_its_connections(xero_sandbox) -> None:
    tokens, _ = connect(xero_sandbox.url)
    answer = requests.post(
        f"{xero_sandbox.url}/connect/revocation",
        auth=WEB,
        timeout=10,
        data={"token": tokens["refresh_token"]},
    )
    assert answer.status_code == 200
    assert refresh(xero_sandbox.url, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    listed = requests.get(
        f"{xero_sandbox.url}/connections",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert listed.status_code == 401


def test_it_disconnects_a_tenant_and_then_answers_403(xero_sandbox) -> None:
    require_spec()
    tokens, connections = connect(xero_sandbox.url)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    gone = connections[0]
    session = validating_session()
    assert (
        session.delete(
            f"{xero_sandbox.url}/connections/{gone['id']}", headers=auth, timeout=10
        ).status_code
        == 204
    )
    assert (
        requests.delete(
            f"{xero_sandbox.url}/connections/{gone['id']}", headers=auth, timeout=10
        ).status_code
        == 404
    )
    xero = Xero(xero_sandbox.url, tokens["access_token"], gone["tenantId"])
    forbidden = xero.get("Organisation")
    assert forbidden.status_code == 403
    assert forbidden.json()["Detail"] == "AuthenticationUnsuccessful"
    # The other organisations still answer.
    assert (
        Xero(xero_sandbox.url, tokens["access_token"], connections[1]["tenantId"])
        .get("Organisation")
        .ok
    )


def test_it_lets_xero_disconnect_a_tenant_from_its_side(xero_sandbox) -> None:
    tokens, connections = connect(xero_sandbox.url)
    tenant = connections[0]["tenantId"]
    control = requests.post(
        f"{xero_sandbox.url}/_sandbox/disconnect", json={"tenantId": tenant}, timeout=10
    )
    assert control.json() == {"removed": 1}
    xero = Xero(xero_sandbox.url, tokens["access_token"], tenant)
    assert xero.get("Invoices").status_code == 403


def test_it_requires_the_tenant_header(xero_sandbox) -> None:
    tokens, _ = connect(xero_sandbox.url)
    answer = requests.get(
        f"{xero_sandbox.url}/api.xro/2.0/Organisation",
        timeout=10,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert answer.status_code == 403


def test_it_issues_custom_connection_tokens_bound_to_one_organisation(xero_sandbox) -> None:
    token = requests.post(
        f"{xero_sandbox.url}/connect/token",
        data={"grant_type": "client_credentials"},
        auth=CUSTOM,
        timeout=10,
    ).json()
    assert "refresh_token" not in token
    answer = requests.get(
        f"{xero_sandbox.url}/api.xro/2.0/Organisation",
        timeout=10,
        headers={"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"},
    )
    first = next(iter(xero_sandbox.sandbox.state.orgs.values()))
    assert answer.json()["Organisations"][0]["OrganisationID"] == first.id
    # Without asking for JSON a client gets Xero's default, XML.
    as_xml = requests.get(
        f"{xero_sandbox.url}/api.xro/2.0/Organisation",
        timeout=10,
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert as_xml.headers["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(as_xml.content)
    assert root.tag == "Response"
    assert root.findtext("Organisations/Organisation/OrganisationID") == first.id
    web = requests.post(
        f"{xero_sandbox.url}/connect/token",
        data={"grant_type": "client_credentials"},
        auth=WEB,
        timeout=10,
    )
    assert web.json()["error"] == "unauthorized_client"


def test_it_refuses_calls_beyond_the_granted_scopes(xero_sandbox) -> None:
    query = authorize(xero_sandbox.url, scope="offline_access accounting.contacts")
    tokens = exchange(xero_sandbox.url, query["code"][0]).json()
    tenant = next(iter(xero_sandbox.sandbox.state.orgs))
    xero = Xero(xero_sandbox.url, tokens["access_token"], tenant)
    assert xero.get("Contacts").status_code == 200
    refused = requests.get(
        f"{xero_sandbox.url}/api.xro/2.0/Invoices",
        timeout=10,
        headers={"Authorization": f"Bearer {tokens['access_token']}", "xero-tenant-id": tenant},
    )
    assert refused.status_code == 401
    assert refused.json()["Detail"] == "AuthorizationUnsuccessful"


def register(base: str, **app) -> None:
    requests.post(f"{base}/_sandbox/apps", json=app, timeout=10).raise_for_status()


def test_a_pkce_app_exchanges_its_code_with_no_secret(xero_sandbox) -> None:
    base = xero_sandbox.url
    register(base, clientId="native-app", kind="pkce", redirectUris=[REDIRECT])
    verifier, challenge = pkce_pair()
    code = authorize(base, client_id="native-app", challenge=challenge)["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": "native-app",
        "code_verifier": verifier,
    }
    answer = requests.post(f"{base}/connect/token", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["access_token"]
    # Without PKCE a secretless client proves nothing: refused.
    plain = authorize(base, client_id="native-app", state="st-2")["code"][0]
    refused = requests.post(
        f"{base}/connect/token", data=form | {"code": plain, "code_verifier": ""}, timeout=10
    )
    assert refused.status_code == 400
    # A web app still needs its secret.
    web_code = authorize(base)["code"][0]
    no_secret = form | {"code": web_code, "client_id": WEB[0], "code_verifier": ""}
    assert requests.post(f"{base}/connect/token", data=no_secret, timeout=10).status_code == 401


def test_one_organisation_per_consent_unless_the_app_has_bulk_connections(xero_sandbox) -> None:
    base = xero_sandbox.url
    every = [
        o["tenantId"]
        for o in requests.get(f"{base}/_sandbox/state", timeout=10).json()["organisations"]
    ]
    register(base, clientId="single-app", clientSecret="s", redirectUris=[REDIRECT])
    page = requests.get(
        f"{base}/identity/connect/authorize",
        params={
            "response_type": "code",
            "client_id": "single-app",
            "redirect_uri": REDIRECT,
            "scope": SCOPES,
            "state": "s",
        },
        timeout=10,
    ).text
    assert "<select name='tenant'>" in page
    assert "type='checkbox'" not in page
    # Even a client that posts several gets one.
    authorize(base, client_id="single-app", tenants=every)
    connected = [
        c
        for c in xero_sandbox.sandbox.state.world.connections.values()
        if c.client_id == "single-app"
    ]
    assert [c.tenant_id for c in connected] == every[:1]
    # Signing in only (openid profile email) connects no organisation.
    authorize(
        base, client_id="single-app", scope="openid profile email", tenants=every[1:], state="s3"
    )
    connected = [
        c
        for c in xero_sandbox.sandbox.state.world.connections.values()
        if c.client_id == "single-app"
    ]
    assert len(connected) == 1
