"""Xero's identity service: consent page, token endpoint, revocation and /connections."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import html
import json
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from xeroadmin.sandbox.core import XeroError, new_id, problem
from xeroadmin.sandbox.state import (
    AccessToken,
    App,
    AuthCode,
    Connection,
    Grant,
    RefreshToken,
    State,
)

ACCESS_TTL = 30 * 60
REFRESH_TTL = 60 * 24 * 3600
REFRESH_GRACE = 30 * 60
CODE_TTL = 5 * 60
ISSUER = "https://identity.xero.com"

_GRANULAR = {
    f"accounting.{name}{suffix}"
    for name in (
        "invoices",
        "payments",
        "banktransactions",
        "manualjournals",
        "contacts",
        "settings",
        "attachments",
        "transactions",
        "budgets",
        "journals",
    )
    for suffix in ("", ".read")
}
KNOWN_SCOPES = (
    _GRANULAR
    | {
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.reports.read",
        "accounting.reports.tenninetynine.read",
        "paymentservices",
        "bankfeeds",
        "files",
        "files.read",
        "assets",
        "assets.read",
        "projects",
        "projects.read",
        "marketplace.billing",
        "app.connections",
        "payroll.employees",
        "payroll.employees.read",
    }
    | {
        f"accounting.reports.{r}.read"
        for r in (
            "aged",
            "balancesheet",
            "banksummary",
            "budgetsummary",
            "executivesummary",
            "profitandloss",
            "trialbalance",
            "taxreports",
        )
    }
)


class OAuthError(Exception):
    """An OAuth error answered as JSON (`{"error": ...}`) with status 400 or 401."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@functools.cache
def signing_key() -> Any:
    """This process's RSA key: Xero signs its tokens RS256, naming the key by `kid` in the JWKS
    its OpenID discovery document points to (xero-node's XeroClient.initialize)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _number(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwks() -> dict[str, Any]:
    """The public key as a JSON Web Key Set."""
    numbers = signing_key().public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": key_id(),
                "e": _number(numbers.e),
                "n": _number(numbers.n),
            }
        ]
    }


@functools.cache
def key_id() -> str:
    numbers = signing_key().public_key().public_numbers()
    return hashlib.sha256(str(numbers.n).encode()).hexdigest()[:16].upper()


def jwt(claims: dict[str, Any], *, key: Any = None, kid: str | None = None) -> str:
    """An RS256-signed JWT with the signing key's `kid` (another key, to forge one in tests)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = {"alg": "RS256", "kid": kid or key_id(), "typ": "JWT"}
    head = _b64(json.dumps(header, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = (key or signing_key()).sign(
        f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{head}.{body}.{_b64(signature)}"


def discovery(base: str) -> dict[str, Any]:
    """`/.well-known/openid-configuration`, as Xero's identity service publishes it."""
    return {
        "issuer": ISSUER,
        "authorization_endpoint": f"{base}/identity/connect/authorize",
        "token_endpoint": f"{base}/connect/token",
        "revocation_endpoint": f"{base}/connect/revocation",
        "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
    }


def redirect_allowed(app: App, uri: str) -> bool:
    """Exact match, or any loopback http URI for the default web app."""
    if uri in app.redirect_uris:
        return True
    if app.allow_loopback_redirects:
        parts = urlsplit(uri)
        return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
    return False


# ----------------------------------------------------------------- authorize


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;background:#f2f4f7;margin:0;padding:2rem 1rem;color:#1c2530}"
        ".box{max-width:32rem;margin:auto;background:#fff;border:1px solid #d9dfe7;border-radius:8px;padding:1.5rem}"
        "h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.4rem 0}ul{padding-left:1.2rem}"
        "button{font:inherit;padding:.5rem 1.1rem;border-radius:6px;border:1px solid #9aa5b1;"
        "background:#fff;cursor:pointer;margin-right:.5rem}"
        "button.allow{background:#13b5ea;border-color:#13b5ea;color:#fff;font-weight:600}.err{color:#b42318}"
        f"</style></head><body><div class='box'>{body}</div></body></html>"
    )


def error_page(message: str) -> str:
    return _page(
        "Xero sandbox: error",
        f"<h1>Something is wrong with this request</h1><p class='err'>{html.escape(message)}</p>",
    )


def authorize_check(state: State, args: dict[str, str]) -> tuple[App, list[str]] | str:
    """Validate an authorize request: the app and its scopes, or a redirect URL carrying an error.

    Raises XeroError(400) with an HTML page when the client or redirect URI cannot be trusted.
    """
    app = state.apps.get(args.get("client_id", ""))
    if app is None or app.kind not in ("web", "pkce"):
        raise XeroError(400, {"html": error_page("Unknown client_id: this app is not registered.")})
    redirect_uri = args.get("redirect_uri", "")
    if not redirect_allowed(app, redirect_uri):
        raise XeroError(
            400,
            {
                "html": error_page(
                    "The redirect_uri does not match any URI registered for this app."
                )
            },
        )

    def back(error: str, description: str) -> str:
        query = {"error": error, "error_description": description}
        if args.get("state"):
            query["state"] = args["state"]
        return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}"

    if args.get("response_type") != "code":
        return back("unsupported_response_type", "response_type must be code")
    scopes = args.get("scope", "").split()
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if not scopes or unknown:
        return back("invalid_scope", f"Unknown scope(s): {' '.join(unknown) or '(none requested)'}")
    method = args.get("code_challenge_method")
    if args.get("code_challenge") and method not in (None, "", "S256", "plain"):
        return back("invalid_request", "code_challenge_method must be S256")
    return app, scopes


def consent_page(state: State, app: App, scopes: list[str], args: dict[str, str]) -> str:
    connected = _connected_tenants(state, app)
    if not connects_organisations(scopes):
        orgs = "<p>Signs you in; no organisation is connected.</p>"
    elif app.bulk_connections:
        orgs = "".join(
            f"<label><input type='checkbox' name='tenant' value='{o.id}' checked> "
            f"{html.escape(o.name)}{' (connected)' if o.id in connected else ''}</label>"
            for o in state.orgs.values()
        )
    else:
        # One organisation per consent, those already connected marked (Xero's drop-down).
        options = "".join(
            f"<option value='{o.id}'>{html.escape(o.name)}"
            f"{' (already connected)' if o.id in connected else ''}</option>"
            for o in state.orgs.values()
        )
        orgs = f"<label>Organisation <select name='tenant'>{options}</select></label>"
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in args.items()
        if k
        in (
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "nonce",
            "response_type",
        )
    )
    scope_list = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes)
    body = (
        f"<h1>{html.escape(app.name)} wants to access your Xero organisations</h1>"
        f"<p>Signed in as {html.escape(_signed_in(state))} (Xero sandbox)</p>"
        f"<p>It asks for:</p><ul>{scope_list}</ul>"
        f"<form method='post' action='/identity/connect/authorize'>{hidden}"
        f"<fieldset><legend>Organisations to connect</legend>{orgs}</fieldset><p>"
        "<button class='allow' type='submit' name='decision' value='allow'>Allow access</button>"
        "<button type='submit' name='decision' value='deny'>Cancel</button></p></form>"
    )
    return _page("Xero sandbox: authorise", body)


def _signed_in(state: State) -> str:
    return next(iter(state.world.users.values())).email


def connects_organisations(scopes: list[str]) -> bool:
    """Whether a consent for these scopes connects organisations: `openid profile email`
    alone signs the user in and connects none (Sign in with Xero)."""
    return any(s not in ("openid", "profile", "email", "offline_access") for s in scopes)


def _connected_tenants(state: State, app: App) -> set[str]:
    return {c.tenant_id for c in state.world.connections.values() if c.client_id == app.client_id}


def consent(state: State, form: dict[str, Any]) -> str:
    """Handle Allow or Deny; returns the redirect URL back to the app."""
    args = {k: v for k, v in form.items() if isinstance(v, str)}
    checked = authorize_check(state, args)
    if isinstance(checked, str):
        return checked
    app, scopes = checked
    redirect_uri = args["redirect_uri"]
    sep = "&" if "?" in redirect_uri else "?"
    if args.get("decision") != "allow":
        query = {"error": "access_denied"}
        if args.get("state"):
            query["state"] = args["state"]
        return f"{redirect_uri}{sep}{urlencode(query)}"
    tenants = [t for t in form.get("tenants", []) if t in state.orgs]
    if not app.bulk_connections:
        tenants = tenants[:1]  # one organisation per consent without Bulk Connections
    if not connects_organisations(scopes):
        tenants = []  # signing in only: no organisation is connected
    elif not tenants:
        query = {"error": "access_denied", "error_description": "No organisation was selected"}
        if args.get("state"):
            query["state"] = args["state"]
        return f"{redirect_uri}{sep}{urlencode(query)}"
    now = state.clock.time()
    user = next(iter(state.world.users.values()))
    grant = next(
        (
            g
            for g in state.world.grants.values()
            if g.client_id == app.client_id and g.user_id == user.id and not g.revoked
        ),
        None,
    )
    if grant is None:
        grant = Grant(id=new_id(), client_id=app.client_id, user_id=user.id, scopes=[], created=now)
        state.world.grants[grant.id] = grant
    grant.scopes = sorted(set(grant.scopes) | set(scopes))  # scopes add up across consents
    auth_event = new_id()
    stamp = state.clock.now()
    for tenant in tenants:
        connection = next(
            (
                c
                for c in state.world.connections.values()
                if c.grant_id == grant.id and c.tenant_id == tenant
            ),
            None,
        )
        if connection is None:
            connection = Connection(
                id=new_id(),
                grant_id=grant.id,
                client_id=app.client_id,
                tenant_id=tenant,
                auth_event_id=auth_event,
                created=stamp,
                updated=stamp,
            )
            state.world.connections[connection.id] = connection
        else:
            connection.auth_event_id, connection.updated = auth_event, stamp
    code = AuthCode(
        code=secrets.token_urlsafe(32),
        client_id=app.client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        grant_id=grant.id,
        auth_event_id=auth_event,
        expires=now + CODE_TTL,
        challenge=args.get("code_challenge") or None,
        challenge_method=args.get("code_challenge_method")
        or ("plain" if args.get("code_challenge") else None),
        nonce=args.get("nonce") or None,
    )
    state.world.codes[code.code] = code
    query = {"code": code.code, "scope": " ".join(scopes)}
    if args.get("state"):
        query["state"] = args["state"]
    return f"{redirect_uri}{sep}{urlencode(query)}"


# ----------------------------------------------------------------- token endpoint


def _client(state: State, headers: dict[str, str], form: dict[str, str]) -> App:
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    auth = headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", status=401) from None
    app = state.apps.get(client_id)
    if app is not None and app.kind == "pkce" and not secret:
        return app  # no secret to check: the code verifier (required below) proves it
    if app is None or not secret or not hmac.compare_digest(app.client_secret, secret):
        raise OAuthError("invalid_client", status=401)
    return app


def _issue(
    state: State,
    app: App,
    grant: Grant | None,
    scopes: list[str],
    *,
    tenant: str | None = None,
    refresh: RefreshToken | None = None,
    auth_event: str | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    now = state.clock.time()
    user = next(iter(state.world.users.values()))
    # The claims of Xero's access token (xero-node's XeroAccessToken type).
    claims = {
        "nbf": int(now),
        "exp": int(now + ACCESS_TTL),
        "iss": ISSUER,
        "aud": f"{ISSUER}/resources",
        "client_id": app.client_id,
        "jti": new_id(),
        "scope": scopes,
        "iat": int(now),
    }
    if grant is not None:
        claims |= {
            "sub": user.id,
            "auth_time": int(grant.created),
            "idp": "local",
            "amr": ["pwd"],
            "sid": grant.id,
            "xero_userid": user.id,
            "global_session_id": grant.id,
            "authentication_event_id": auth_event or grant.id,
        }
    token = jwt(claims)
    state.world.access_tokens[token] = AccessToken(
        token=token,
        client_id=app.client_id,
        grant_id=grant.id if grant else None,
        scopes=scopes,
        expires=now + ACCESS_TTL,
        tenant_id=tenant,
    )
    body: dict[str, Any] = {
        "access_token": token,
        "expires_in": ACCESS_TTL,
        "token_type": "Bearer",
        "scope": " ".join(scopes),
    }
    if refresh is not None:
        body["refresh_token"] = refresh.token
    if grant is not None and "openid" in scopes:
        # The claims of Xero's id_token (xero-node's XeroIdToken type); it lives 5 minutes.
        digest = hashlib.sha256(token.encode()).digest()
        id_claims = {
            "nbf": int(now),
            "exp": int(now + 300),
            "iss": ISSUER,
            "aud": app.client_id,
            "iat": int(now),
            "at_hash": _b64(digest[: len(digest) // 2]),
            "sid": grant.id,
            "sub": user.id,
            "auth_time": int(grant.created),
            "idp": "local",
            "amr": ["pwd"],
            "xero_userid": user.id,
            "global_session_id": grant.id,
        }
        if nonce:
            id_claims["nonce"] = nonce
        if "email" in scopes:
            id_claims["email"] = user.email
        if "profile" in scopes:
            id_claims |= {
                "given_name": user.given_name,
                "family_name": user.family_name,
                "preferred_username": user.email,
            }
        body["id_token"] = spoil(state, jwt(id_claims), id_claims)
    return body


def spoil(state: State, id_token: str, claims: dict[str, Any]) -> str:
    """The id_token as a fault set through the control API asks (`/_sandbox/identity`), so a
    client can prove that it refuses a bad one; untouched otherwise."""
    fault = state.world.id_token_fault
    if not fault:
        return id_token
    state.world.id_token_fault = ""
    if fault == "signature":
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt(claims, key=other)
    changed = {
        "issuer": {"iss": "https://identity.example.com"},
        "audience": {"aud": "someone-else"},
        "expired": {"exp": claims["iat"] - 600, "nbf": claims["iat"] - 900},
    }.get(fault, {})
    return jwt(claims | changed)


def _new_refresh(state: State, grant: Grant) -> RefreshToken:
    now = state.clock.time()
    token = RefreshToken(
        token=secrets.token_urlsafe(40), grant_id=grant.id, created=now, last_used=now
    )
    state.world.refresh_tokens[token.token] = token
    return token


def token(state: State, headers: dict[str, str], form: dict[str, str]) -> dict[str, Any]:
    grant_type = form.get("grant_type", "")
    if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
        raise OAuthError("unsupported_grant_type")
    app = _client(state, headers, form)
    now = state.clock.time()
    if grant_type == "client_credentials":
        if app.kind != "custom" or not app.custom_tenant:
            raise OAuthError("unauthorized_client", "This app is not a Custom Connection.")
        scopes = form.get("scope", "").split() or sorted(
            _GRANULAR - {"accounting.transactions", "accounting.transactions.read"}
        )
        return _issue(state, app, None, scopes, tenant=app.custom_tenant)
    if grant_type == "authorization_code":
        code = state.world.codes.get(form.get("code", ""))
        if code is None or code.client_id != app.client_id:
            raise OAuthError("invalid_grant")
        if code.used:
            raise OAuthError("invalid_grant", "The authorization code has already been used.")
        code.used = True  # single use, even when the exchange below fails
        if code.expires < now:
            raise OAuthError("invalid_grant", "The authorization code has expired.")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorize request.")
        if app.kind == "pkce" and not code.challenge:
            raise OAuthError("invalid_grant", "A PKCE app's authorisation needs a code_challenge.")
        if code.challenge:
            verifier = form.get("code_verifier", "")
            computed = (
                _b64(hashlib.sha256(verifier.encode()).digest())
                if code.challenge_method == "S256"
                else verifier
            )
            if not verifier or not hmac.compare_digest(computed, code.challenge):
                raise OAuthError(
                    "invalid_grant", "The code_verifier does not match the code_challenge."
                )
        grant = state.world.grants[code.grant_id]
        refresh = _new_refresh(state, grant) if "offline_access" in grant.scopes else None
        return _issue(
            state,
            app,
            grant,
            grant.scopes,
            refresh=refresh,
            auth_event=code.auth_event_id,
            nonce=code.nonce,
        )
    presented = state.world.refresh_tokens.get(form.get("refresh_token", ""))
    if presented is None:
        raise OAuthError("invalid_grant")
    owner = state.world.grants.get(presented.grant_id)
    if owner is None or owner.revoked or owner.client_id != app.client_id:
        raise OAuthError("invalid_grant")
    if presented.last_used + REFRESH_TTL < now:
        raise OAuthError("invalid_grant", "The refresh token has expired.")
    if presented.superseded_at is not None:
        # Within the grace period, a retry of the previous token gets the same replacement.
        if now - presented.superseded_at > REFRESH_GRACE or presented.replaced_by is None:
            raise OAuthError("invalid_grant")
        replacement = state.world.refresh_tokens[presented.replaced_by]
        return _issue(state, app, owner, owner.scopes, refresh=replacement)
    replacement = _new_refresh(state, owner)
    presented.superseded_at, presented.replaced_by, presented.last_used = (
        now,
        replacement.token,
        now,
    )
    return _issue(state, app, owner, owner.scopes, refresh=replacement)


def revoke(state: State, headers: dict[str, str], form: dict[str, str]) -> None:
    app = _client(state, headers, form)
    presented = state.world.refresh_tokens.get(form.get("token", ""))
    if presented is None:
        return  # RFC 7009: an unknown token is not an error
    grant = state.world.grants.get(presented.grant_id)
    if grant is None or grant.client_id != app.client_id:
        return
    grant.revoked = True
    world = state.world
    world.connections = {k: c for k, c in world.connections.items() if c.grant_id != grant.id}
    world.access_tokens = {k: t for k, t in world.access_tokens.items() if t.grant_id != grant.id}
    world.refresh_tokens = {k: t for k, t in world.refresh_tokens.items() if t.grant_id != grant.id}


# ----------------------------------------------------------------- bearer tokens and connections


def bearer(state: State, headers: dict[str, str]) -> AccessToken:
    auth = headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        raise problem(401, "Unauthorized", "AuthenticationUnsuccessful")
    access = state.world.access_tokens.get(auth[7:].strip())
    if access is None:
        raise problem(401, "Unauthorized", "AuthenticationUnsuccessful")
    if access.expires < state.clock.time():
        from datetime import UTC, datetime

        stamp = datetime.fromtimestamp(access.expires, tz=UTC).strftime("%m/%d/%Y %H:%M:%S")
        raise problem(401, "Unauthorized", f"TokenExpired: token expired at {stamp}")
    return access


def tenant_for(state: State, access: AccessToken, tenant_id: str | None) -> str:
    """The organisation a call acts on: the token's own (Custom Connection) or the header's."""
    if access.tenant_id is not None:
        if tenant_id and tenant_id.lower() != access.tenant_id:
            raise problem(403, "Forbidden", "AuthenticationUnsuccessful")
        return access.tenant_id
    wanted = (tenant_id or "").lower()
    connected = any(
        c.grant_id == access.grant_id and c.tenant_id == wanted
        for c in state.world.connections.values()
    )
    if not wanted or not connected or wanted not in state.orgs:
        raise problem(403, "Forbidden", "AuthenticationUnsuccessful")
    return wanted


def _connection_out(state: State, connection: Connection) -> dict[str, Any]:
    org = state.orgs.get(connection.tenant_id)

    def stamp(value: Any) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"

    return {
        "id": connection.id,
        "authEventId": connection.auth_event_id,
        "tenantId": connection.tenant_id,
        "tenantType": "ORGANISATION",
        "tenantName": org.name if org else None,
        "createdDateUtc": stamp(connection.created),
        "updatedDateUtc": stamp(connection.updated),
    }


def connections(state: State, access: AccessToken, auth_event: str | None) -> list[dict[str, Any]]:
    if access.tenant_id is not None:
        org = state.orgs[access.tenant_id]
        synthetic = Connection(
            id=access.tenant_id,
            grant_id="",
            client_id=access.client_id,
            tenant_id=org.id,
            auth_event_id=access.tenant_id,
            created=org.created,
            updated=org.created,
        )
        return [_connection_out(state, synthetic)]
    found = [c for c in state.world.connections.values() if c.grant_id == access.grant_id]
    if auth_event:
        found = [c for c in found if c.auth_event_id == auth_event.lower()]
    return [_connection_out(state, c) for c in sorted(found, key=lambda c: c.created)]


def disconnect(state: State, access: AccessToken, connection_id: str) -> None:
    connection = state.world.connections.get(connection_id.lower())
    if connection is None or connection.grant_id != access.grant_id:
        raise XeroError(
            404, {"Title": "Not Found", "Status": 404, "Detail": "Connection not found"}
        )
    del state.world.connections[connection.id]
