"""An organisation's users (`/Users`): who can reach its books, with their role, whether they
are the subscriber, and when that last changed. Read-only in Xero's API; the sandbox's control
API (`/_sandbox/users`) adds, changes and removes them, as the organisation's own Xero would.

Source: OAS-ACC /Users and /Users/{UserID} (If-Modified-Since, where, order; the settings
scopes), schemas.User (OrganisationRole's values include REMOVED: a removed user stays listed
with that role, changed when removed).
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import Any

from xeroadmin.sandbox.api.common import Call, Reply, envelope, find_record, list_records
from xeroadmin.sandbox.api.router import SETTINGS, Resource, register
from xeroadmin.sandbox.core import msdate
from xeroadmin.sandbox.state import Org

ROLES = {
    "READONLY",
    "INVOICEONLY",
    "STANDARD",
    "FINANCIALADVISER",
    "MANAGEDCLIENT",
    "CASHBOOKCLIENT",
    "UNKNOWN",
    "REMOVED",
}


def render(user: dict[str, Any]) -> dict[str, Any]:
    return {**user, "UpdatedDateUTC": msdate(user["UpdatedDateUTC"])}


def seed_users(org: Org, now: datetime) -> None:
    """Who reaches a seeded organisation: its owner (the subscriber), a member of its staff,
    and an adviser from an accounting practice; drawn from a stream of their own."""
    rng = random.Random(f"users-{org.id}")
    slug = "".join(ch for ch in org.name.lower() if ch.isalnum())[:16] or "org"
    people = (
        ("Olivia", "Owner", f"olivia@{slug}.example.com", "FINANCIALADVISER", True),
        ("Sam", "Staff", f"sam@{slug}.example.com", "STANDARD", False),
        ("Alex", "Adviser", "alex@harbour-accounting.example.com", "FINANCIALADVISER", False),
    )
    for first, last, email, role, subscriber in people:
        user_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        org.users[user_id] = {
            "UserID": user_id,
            "EmailAddress": email,
            "FirstName": first,
            "LastName": last,
            "UpdatedDateUTC": org.created,
            "IsSubscriber": subscriber,
            "OrganisationRole": role,
        }
    del now  # seeded users were added when the organisation was made


def user_change(org: Org, action: str, raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Add a user, change one's role, or remove one (control API); returns the user."""
    if action == "add":
        email = str(raw.get("EmailAddress") or "").strip()
        role = str(raw.get("OrganisationRole") or "STANDARD").upper()
        if "@" not in email:
            raise ValueError("EmailAddress is required to add a user")
        if role not in ROLES - {"REMOVED"}:
            raise ValueError(f"OrganisationRole must be one of {', '.join(sorted(ROLES))}")
        made: dict[str, Any] = {
            "UserID": str(uuid.uuid4()),
            "EmailAddress": email,
            "FirstName": str(raw.get("FirstName") or ""),
            "LastName": str(raw.get("LastName") or ""),
            "UpdatedDateUTC": now,
            "IsSubscriber": bool(raw.get("IsSubscriber", False)),
            "OrganisationRole": role,
        }
        org.users[made["UserID"]] = made
        return made
    key = str(raw.get("UserID") or "").lower()
    user = org.users.get(key) or next(
        (
            u
            for u in org.users.values()
            if u["EmailAddress"].lower() == str(raw.get("EmailAddress") or "").lower()
        ),
        None,
    )
    if user is None:
        raise KeyError("no such user in this organisation")
    if action == "change":
        role = str(raw.get("OrganisationRole") or user["OrganisationRole"]).upper()
        if role not in ROLES:
            raise ValueError(f"OrganisationRole must be one of {', '.join(sorted(ROLES))}")
        changed = {**user, "OrganisationRole": role, "UpdatedDateUTC": now}
    elif action == "remove":
        changed = {**user, "OrganisationRole": "REMOVED", "UpdatedDateUTC": now}
    else:
        raise ValueError("action must be add, change or remove")
    org.users[user["UserID"]] = changed
    return changed


def _list(call: Call) -> Reply:
    records, _ = list_records(
        call, list(call.org.users.values()), default_order="EmailAddress ASC", paged=False
    )
    return envelope(call, "Users", [render(u) for u in records])


register(
    Resource(
        "Users",
        SETTINGS,
        list=_list,
        find=lambda call, key: find_record(call.org.users, "EmailAddress", key, "UserID"),
        get=lambda call, user: envelope(call, "Users", [render(user)]),
    )
)
