"""An organisation's users over HTTP (every answer validated against Xero's OpenAPI file): who
reaches its books, with their role and subscriber flag; added, changed and removed through the
control API, a removed one kept with the role REMOVED; If-Modified-Since, where and order."""

from __future__ import annotations

import pytest
import requests

from tests.sandbox.helpers import Xero, client_for
from tests.xero_contract import require_spec


@pytest.fixture
def xero(xero_sandbox) -> Xero:
    require_spec()
    return client_for(xero_sandbox.url)


def users(xero: Xero, **kwargs) -> list[dict]:
    answer = xero.get("Users", **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()["Users"]


def control(xero_sandbox, xero: Xero, action: str, user: dict):
    return requests.post(
        f"{xero_sandbox.url}/_sandbox/users",
        json={"tenantId": xero.tenant, "action": action, "user": user},
        timeout=10,
    )


def test_who_reaches_an_organisations_books(xero: Xero, xero_sandbox) -> None:
    seeded = users(xero)
    assert [u["OrganisationRole"] for u in seeded].count("FINANCIALADVISER") == 2
    assert sum(u["IsSubscriber"] for u in seeded) == 1
    assert any(u["EmailAddress"].endswith("@harbour-accounting.example.com") for u in seeded)
    one = xero.get(f"Users/{seeded[0]['UserID']}").json()["Users"][0]
    assert one["EmailAddress"] == seeded[0]["EmailAddress"]
    # Added, changed, removed: only those since a moment are listed after it.
    since = xero_sandbox.sandbox.state.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    xero_sandbox.sandbox.state.clock.advance(2)
    added = control(
        xero_sandbox,
        xero,
        "add",
        {"EmailAddress": "new@outside.example.com", "OrganisationRole": "STANDARD"},
    )
    assert added.status_code == 200, added.text
    user_id = added.json()["user"]["UserID"]
    changed = users(xero, headers={"If-Modified-Since": since})
    assert [u["UserID"] for u in changed] == [user_id]
    control(xero_sandbox, xero, "change", {"UserID": user_id, "OrganisationRole": "READONLY"})
    assert xero.get(f"Users/{user_id}").json()["Users"][0]["OrganisationRole"] == "READONLY"
    control(xero_sandbox, xero, "remove", {"EmailAddress": "new@outside.example.com"})
    removed = users(xero, params={"where": 'OrganisationRole=="REMOVED"'})
    assert [u["UserID"] for u in removed] == [user_id]
    ordered = users(xero, params={"order": "EmailAddress DESC"})
    emails = [u["EmailAddress"] for u in ordered]
    assert emails == sorted(emails, reverse=True)
    # What Xero would refuse: a role it does not have, a user it does not know.
    assert (
        control(
            xero_sandbox, xero, "add", {"EmailAddress": "x@y.example", "OrganisationRole": "BOSS"}
        ).status_code
        == 400
    )
    assert control(xero_sandbox, xero, "change", {"UserID": "nobody"}).status_code == 400
