"""OAuth2 with Xero's identity service (requests-oauthlib): authorization code with PKCE S256,
refresh, client credentials (Custom Connections), revocation, and the `/connections` API."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from xeroadmin.xero import endpoints
from xeroadmin.xero.client import TIMEOUT, raise_for_answer
from xeroadmin.xero.dates import parse_datetime
from xeroadmin.xero.errors import (
    XeroError,
    XeroIdentityRefused,
    XeroOAuthError,
    XeroUnavailable,
)

# Xero may grant fewer scopes than asked (an app created before granular scopes, say);
# that is recorded on the connection, not an error.
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")


@dataclass(frozen=True)
class AppCredentials:
    """A Xero app's client id and secret (the secret never appears in a repr or a log)."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scopes: list[str]
    id_token: str = field(default="", repr=False)
    verified_identity: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def claims(self) -> dict[str, Any]:
        """The access token's claims (read, not verified: it came straight from Xero over TLS)."""
        return _jwt_claims(self.access_token)

    @property
    def identity(self) -> dict[str, Any]:
        """The signed-in Xero user, from the id_token once it was verified (else nothing)."""
        return self.verified_identity

    @property
    def auth_event_id(self) -> str:
        return str(self.claims.get("authentication_event_id") or "")

    @property
    def xero_user_id(self) -> str:
        return str(self.claims.get("xero_userid") or self.claims.get("sub") or "")


@dataclass
class Authorization:
    """Where to send the user, and what to keep in their session until they come back."""

    url: str
    state: str
    verifier: str = field(repr=False)


@dataclass
class XeroConnection:
    id: str
    tenant_id: str
    tenant_type: str
    tenant_name: str
    auth_event_id: str
    created: datetime | None
    updated: datetime | None


def authorization_start(
    app: AppCredentials, *, redirect_uri: str, scopes: list[str]
) -> Authorization:
    """The consent URL, with a fresh `state` and a PKCE S256 challenge."""
    verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43 to 128
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    session = OAuth2Session(app.client_id, redirect_uri=redirect_uri, scope=scopes)
    url, state = session.authorization_url(
        endpoints.authorize_url(),
        state=secrets.token_urlsafe(32),
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    return Authorization(url=url, state=state, verifier=verifier)


def exchange_code(app: AppCredentials, *, code: str, redirect_uri: str, verifier: str) -> TokenSet:
    """Trade the authorization code (single use) for a token set, its id_token verified."""
    session = _guarded(OAuth2Session(app.client_id, redirect_uri=redirect_uri))
    tokens = _fetch(
        lambda: session.fetch_token(
            endpoints.token_url(),
            code=code,
            code_verifier=verifier,
            auth=HTTPBasicAuth(app.client_id, app.client_secret),
            include_client_id=False,
            timeout=TIMEOUT,
        ),
        retries=0,
    )
    if tokens.id_token:
        tokens.verified_identity = verify_id_token(tokens.id_token, client_id=app.client_id)
    return tokens


# Xero's signing keys are fetched from its OpenID discovery document and kept this long.
KEYS_TTL = 3600
# Clocks disagree a little: this much leeway on the id_token's times.
LEEWAY = 60


def verify_id_token(id_token: str, *, client_id: str) -> dict[str, Any]:
    """The id_token's claims, once its RS256 signature (by the `kid` in Xero's JWKS), issuer,
    audience and lifetime check out; else XeroIdentityRefused saying which did not."""
    import jwt

    config = _openid_configuration(endpoints.openid_configuration_url(), _ttl_bucket())
    try:
        key = _jwks_client(str(config["jwks_uri"]), _ttl_bucket()).get_signing_key_from_jwt(
            id_token
        )
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=["RS256"],
            audience=client_id,
            issuer=str(config["issuer"]),
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.InvalidSignatureError:
        raise XeroIdentityRefused(_refused("its signature does not match Xero's keys")) from None
    except jwt.InvalidIssuerError:
        raise XeroIdentityRefused(_refused("it was issued by someone other than Xero")) from None
    except jwt.InvalidAudienceError:
        raise XeroIdentityRefused(_refused("it was issued for another app")) from None
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
        raise XeroIdentityRefused(_refused("it has expired (or is not valid yet)")) from None
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise XeroIdentityRefused(_refused(f"it could not be read ({error})")) from None
    return dict(claims)


def _refused(why: str) -> str:
    return f"Xero's sign-in could not be verified: {why}. Nothing was connected; please try again."


def _ttl_bucket() -> int:
    return int(time.time() // KEYS_TTL)


@functools.lru_cache(maxsize=8)
def _openid_configuration(url: str, bucket: int) -> dict[str, Any]:
    """Xero's OpenID discovery document (kept for KEYS_TTL: `bucket` changes then)."""
    try:
        answer = requests.get(url, timeout=TIMEOUT)
        answer.raise_for_status()
        config = answer.json()
    except (requests.RequestException, ValueError):
        raise XeroUnavailable(
            "Xero's sign-in keys could not be fetched; please try again shortly."
        ) from None
    if not isinstance(config, dict) or "jwks_uri" not in config or "issuer" not in config:
        raise XeroUnavailable("Xero's OpenID discovery document could not be read.")
    return config


@functools.lru_cache(maxsize=8)
def _jwks_client(url: str, bucket: int) -> Any:
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, timeout=int(TIMEOUT[1]))


def refresh(app: AppCredentials, *, refresh_token: str) -> TokenSet:
    """A new token set from the refresh token (which Xero rotates: keep the new one)."""
    session = _guarded(OAuth2Session(app.client_id))
    return _fetch(
        lambda: session.refresh_token(
            endpoints.token_url(),
            refresh_token=refresh_token,
            auth=HTTPBasicAuth(app.client_id, app.client_secret),
            timeout=TIMEOUT,
        ),
        # Safe to retry: Xero answers a retried refresh token with the same replacement.
        retries=2,
    )


def client_credentials(app: AppCredentials, *, scopes: list[str] | None = None) -> TokenSet:
    """A token for a Custom Connection (no refresh token: ask again when it expires)."""
    session = _guarded(OAuth2Session(client=BackendApplicationClient(client_id=app.client_id)))
    return _fetch(
        lambda: session.fetch_token(
            endpoints.token_url(),
            auth=HTTPBasicAuth(app.client_id, app.client_secret),
            include_client_id=False,
            scope=scopes,
            timeout=TIMEOUT,
        ),
        retries=2,
    )


def revoke(app: AppCredentials, *, refresh_token: str) -> None:
    """Revoke the grant behind a refresh token: every organisation it reaches is disconnected."""
    try:
        answer = requests.post(
            endpoints.revocation_url(),
            data={"token": refresh_token},
            auth=HTTPBasicAuth(app.client_id, app.client_secret),
            timeout=TIMEOUT,
        )
    except requests.RequestException as error:
        raise XeroUnavailable("Xero's sign-in service did not answer.") from error
    if answer.status_code != 200:
        error_code = _oauth_error(answer)
        raise XeroOAuthError(error_code or "revocation_failed", status=answer.status_code)


def connections(access_token: str, *, auth_event_id: str | None = None) -> list[XeroConnection]:
    """The organisations a token reaches (only those of one consent, given its auth event)."""
    params = {"authEventId": auth_event_id} if auth_event_id else None
    answer = _identity_call("GET", endpoints.connections_url(), access_token, params=params)
    raw = answer.json() if answer.content else []
    if not isinstance(raw, list):
        raise XeroUnavailable("Xero's list of connections could not be read.")
    return [
        XeroConnection(
            id=str(item.get("id") or ""),
            tenant_id=str(item.get("tenantId") or "").lower(),
            tenant_type=str(item.get("tenantType") or "ORGANISATION"),
            tenant_name=str(item.get("tenantName") or ""),
            auth_event_id=str(item.get("authEventId") or ""),
            created=parse_datetime(item.get("createdDateUtc")),
            updated=parse_datetime(item.get("updatedDateUtc")),
        )
        for item in raw
        if isinstance(item, dict) and item.get("tenantId")
    ]


def disconnect(access_token: str, connection_id: str) -> None:
    """Remove one organisation's connection (by connection id, never tenant or event id)."""
    _identity_call("DELETE", f"{endpoints.connections_url()}/{connection_id}", access_token)


def _identity_call(
    method: str, url: str, access_token: str, params: dict[str, str] | None = None
) -> requests.Response:
    for attempt in range(3):
        try:
            answer = requests.request(
                method,
                url,
                params=params,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            if attempt == 2:
                raise XeroUnavailable("Xero did not answer (network error).") from error
        else:
            if answer.status_code < 500 or attempt == 2:
                raise_for_answer(answer)
                return answer
        time.sleep(0.25 * 2**attempt * random.uniform(0.5, 1.0))
    raise XeroUnavailable("Xero did not answer.")  # pragma: no cover - the loop always returns


def _guarded(session: OAuth2Session) -> OAuth2Session:
    """A session that treats a 5xx from the token endpoint as "unavailable", not as a token."""

    def check(response: requests.Response) -> requests.Response:
        if response.status_code >= 500:
            raise XeroUnavailable(
                f"Xero's sign-in service is unavailable (HTTP {response.status_code})."
            )
        return response

    session.register_compliance_hook("access_token_response", check)
    session.register_compliance_hook("refresh_token_response", check)
    return session


def _fetch(call: Any, *, retries: int) -> TokenSet:
    for attempt in range(retries + 1):
        try:
            token = call()
        except OAuth2Error as error:
            raise XeroOAuthError(
                error.error or "invalid_request",
                error.description or "",
                status=error.status_code,
            ) from None
        except requests.RequestException as error:
            if attempt == retries:
                raise XeroUnavailable("Xero's sign-in service did not answer.") from error
        except XeroUnavailable:
            if attempt == retries:
                raise
        except (ValueError, KeyError, TypeError):
            # oauthlib could not read the answer: a 5xx page instead of JSON, typically.
            if attempt == retries:
                raise XeroUnavailable(
                    "Xero's sign-in service gave an answer we could not read."
                ) from None
        else:
            return _token_set(token)
        time.sleep(0.25 * 2**attempt * random.uniform(0.5, 1.0))
    raise XeroError("unreachable")  # pragma: no cover


def _token_set(token: dict[str, Any]) -> TokenSet:
    if not token.get("access_token"):
        raise XeroUnavailable("Xero's sign-in service answered without an access token.")
    expires_in = float(token.get("expires_in") or 1800)
    scope = token.get("scope") or []
    return TokenSet(
        access_token=str(token["access_token"]),
        refresh_token=str(token.get("refresh_token") or ""),
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        scopes=scope.split() if isinstance(scope, str) else [str(s) for s in scope],
        id_token=str(token.get("id_token") or ""),
    )


def _jwt_claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _oauth_error(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""
