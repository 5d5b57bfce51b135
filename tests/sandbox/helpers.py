"""Talking to the sandbox as a Xero client would, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.xero_contract import validating_session

WEB = ("sandbox-web-client", "sandbox-web-secret")
CUSTOM = ("sandbox-custom-client", "sandbox-custom-secret")
REDIRECT = "http://localhost:9999/callback"
SCOPES = (
    "openid profile email offline_access accounting.invoices accounting.payments "
    "accounting.contacts accounting.settings accounting.attachments"
)

# Everything the books need: bank transactions, manual journals and reports as well.
BOOKS_SCOPES = (
    f"{SCOPES} accounting.banktransactions accounting.manualjournals accounting.reports.read"
)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return verifier, challenge


def authorize(
    base: str,
    *,
    scope: str = SCOPES,
    challenge: str | None = None,
    tenants: list[str] | None = None,
    decision: str = "allow",
    state: str = "st-1",
    client_id: str = WEB[0],
) -> dict[str, list[str]]:
    """Open the consent page, tick organisations and press a button; returns the callback query."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": state,
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    page = requests.get(
        f"{base}/identity/connect/authorize", params=params, allow_redirects=False, timeout=10
    )
    assert page.status_code == 200, page.text
    form = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
    offered = offered_tenants(page.text)
    data: list[tuple[str, str]] = [*form.items(), ("decision", decision)]
    data += [("tenant", t) for t in (offered if tenants is None else tenants)]
    answer = requests.post(
        f"{base}/identity/connect/authorize", data=data, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)


def offered_tenants(consent_page: str) -> list[str]:
    """What a person would pick on the consent page: every ticked box with Bulk Connections,
    else the first organisation of the drop-down."""
    return (
        re.findall(r"name='tenant' value='([^']+)'", consent_page)
        or re.findall(r"<option value='([^']+)'", consent_page)[:1]
    )


def exchange(
    base: str, code: str, *, verifier: str | None = None, basic: bool = True
) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier:
        data["code_verifier"] = verifier
    if basic:
        return requests.post(f"{base}/connect/token", data=data, auth=WEB, timeout=10)
    return requests.post(
        f"{base}/connect/token",
        data=data | {"client_id": WEB[0], "client_secret": WEB[1]},
        timeout=10,
    )


def refresh(base: str, token: str) -> requests.Response:
    return requests.post(
        f"{base}/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=WEB,
        timeout=10,
    )


@dataclass
class Xero:
    """An authorised client for one organisation, validating every answer against the contract."""

    base: str
    token: str
    tenant: str

    def __post_init__(self) -> None:
        self.http = validating_session()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "xero-tenant-id": self.tenant,
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        return self.http.request(
            method, f"{self.base}/api.xro/2.0/{path}", headers=headers, timeout=30, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, json=body, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, json=body, **kwargs)


def connect(base: str, scope: str = SCOPES) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Consent to every organisation; returns the token set and the connections."""
    verifier, challenge = pkce_pair()
    query = authorize(base, challenge=challenge, scope=scope)
    tokens = exchange(base, query["code"][0], verifier=verifier).json()
    connections = (
        validating_session()
        .get(
            f"{base}/connections",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=10,
        )
        .json()
    )
    return tokens, connections


def client_for(base: str, index: int = 0, scope: str = SCOPES) -> Xero:
    tokens, connections = connect(base, scope)
    return Xero(base, tokens["access_token"], connections[index]["tenantId"])
