"""The sandbox's in-memory world: organisations and their books, apps, grants, tokens, connections.

One re-entrant lock guards it all; every handler holds it for the few microseconds it needs.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xeroadmin.sandbox.core import Clock


@dataclass
class Org:
    id: str
    name: str
    short_code: str
    country: str
    currency: str
    timezone: str
    created: datetime
    tax_number: str = ""
    tax_rates: list[dict[str, Any]] = field(default_factory=list)
    currencies: list[dict[str, Any]] = field(default_factory=list)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    credit_notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tracking: dict[str, dict[str, Any]] = field(default_factory=dict)  # categories, by id
    # Credit notes, prepayments and overpayments applied to invoices, by AllocationID.
    allocations: dict[str, dict[str, Any]] = field(default_factory=dict)
    bank_transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    bank_transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    manual_journals: dict[str, dict[str, Any]] = field(default_factory=dict)
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    prepayments: dict[str, dict[str, Any]] = field(default_factory=dict)
    overpayments: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # who reaches its books
    payroll: bool = False  # whether it has Xero Payroll (payroll.py)
    employees: dict[str, dict[str, Any]] = field(default_factory=dict)  # payroll's, by id
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    invoice_seq: int = 0
    emails_sent_today: int = 0

    def tax_rate(self, tax_type: str | None) -> dict[str, Any] | None:
        return next((t for t in self.tax_rates if t["TaxType"] == tax_type), None)

    def account_by_code(self, code: str | None) -> dict[str, Any] | None:
        if not code:
            return None
        return next((a for a in self.accounts.values() if a.get("Code") == code), None)

    def system_account(self, name: str) -> dict[str, Any]:
        """The account Xero keeps for `name` (DEBTORS, CREDITORS, GST, RETAINEDEARNINGS,
        REALISEDCURRENCYGAIN): OAS-ACC schemas.Account.SystemAccount."""
        return next(a for a in self.accounts.values() if a.get("SystemAccount") == name)

    def next_invoice_number(self) -> str:
        self.invoice_seq += 1
        return f"INV-{self.invoice_seq:04d}"


@dataclass
class App:
    client_id: str
    client_secret: str
    kind: str  # "web", "pkce" (native apps: no secret, PKCE proves the client) or "custom"
    name: str
    redirect_uris: list[str] = field(default_factory=list)
    allow_loopback_redirects: bool = False
    webhook_url: str = ""
    webhook_key: str = ""
    custom_tenant: str = ""  # the one organisation a Custom Connection is bound to
    # Xero's "Bulk Connections": the consent screen lets the user tick several organisations.
    # Without it (most apps) the user picks one per consent. Source: XERO_FACTS section 8.
    bulk_connections: bool = False


@dataclass
class Grant:
    """One user's consent to one app: its refresh tokens rotate, its connections list tenants."""

    id: str
    client_id: str
    user_id: str
    scopes: list[str]
    created: float
    revoked: bool = False


@dataclass
class Connection:
    id: str
    grant_id: str
    client_id: str
    tenant_id: str
    auth_event_id: str
    created: datetime
    updated: datetime


@dataclass
class AccessToken:
    token: str
    client_id: str
    grant_id: str | None  # None for client credentials
    scopes: list[str]
    expires: float
    tenant_id: str | None = None  # set for Custom Connections


@dataclass
class RefreshToken:
    token: str
    grant_id: str
    created: float
    last_used: float
    superseded_at: float | None = None
    replaced_by: str | None = None


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    grant_id: str
    auth_event_id: str
    expires: float
    challenge: str | None
    challenge_method: str | None
    nonce: str | None
    used: bool = False


@dataclass
class User:
    id: str
    email: str
    given_name: str
    family_name: str


@dataclass
class World:
    """Everything that a reset rebuilds."""

    orgs: dict[str, Org] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    # The next id_token goes out spoiled this way ("signature", "issuer", "audience", "expired").
    id_token_fault: str = ""


class State:
    def __init__(self, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.world = World()

    @property
    def orgs(self) -> dict[str, Org]:
        return self.world.orgs

    @property
    def apps(self) -> dict[str, App]:
        return self.world.apps


# Saving and loading (--state FILE): JSON with tagged values for what JSON lacks.


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((tag, raw),) = value.items()
            if tag == "$dec":
                return Decimal(raw)
            if tag == "$dt":
                return datetime.fromisoformat(raw)
            if tag == "$date":
                return date.fromisoformat(raw)
            if tag == "$b64":
                return base64.b64decode(raw)
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


_CLASSES = {
    "orgs": Org,
    "apps": App,
    "users": User,
    "grants": Grant,
    "connections": Connection,
    "access_tokens": AccessToken,
    "refresh_tokens": RefreshToken,
    "codes": AuthCode,
}


def save(state: State, path: Path) -> None:
    """Write the world to `path` atomically."""
    with state.lock:
        payload = {
            name: {key: _encode(vars(obj)) for key, obj in getattr(state.world, name).items()}
            for name in _CLASSES
        }
        payload["clock_offset"] = state.clock.time() - __import__("time").time()
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload))
    tmp.replace(path)


def load(state: State, path: Path) -> None:
    """Replace the world with the one saved at `path`."""
    payload = json.loads(path.read_text())
    world = World()
    for name, cls in _CLASSES.items():
        setattr(
            world,
            name,
            {key: cls(**_decode(raw)) for key, raw in payload.get(name, {}).items()},
        )
    with state.lock:
        state.world = world
        state.clock.reset()
        state.clock.advance(float(payload.get("clock_offset", 0.0)))
