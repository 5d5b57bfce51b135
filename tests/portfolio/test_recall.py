"""The checks against problems planted in the sandbox over HTTP: on tidy books they find
nothing; with 50 of each kind planted across 20 organisations they find (nearly) all of them,
and nothing else."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.books.test_sync import run
from tests.conftest import Cast
from tests.connections.helpers import connect, control
from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio import checks
from xeroadmin.portfolio.models import Finding
from xeroadmin.sandbox.plant import KINDS

pytestmark = pytest.mark.django_db
ORGANISATIONS = 20
EACH = 50


@pytest.fixture
def tidy_practice(xero_sandbox_server, xero, cast: Cast):
    """Twenty organisations with tidy books, all connected and synced (put back afterwards)."""
    sandbox = xero_sandbox_server.sandbox
    before = sandbox.config.orgs, sandbox.config.invoices_per_org, sandbox.config.contacts_per_org
    sandbox.config.orgs, sandbox.config.invoices_per_org, sandbox.config.contacts_per_org = (
        ORGANISATIONS,
        24,
        16,
    )
    sandbox.config.tidy = True
    sandbox.reset()
    connect(cast)
    tenants = list(Tenant.objects.filter(workspace=cast.workspace).select_related("grant"))
    assert len(tenants) == ORGANISATIONS
    for tenant in tenants:
        run(tenant, "full")
    yield tenants
    sandbox.config.orgs, sandbox.config.invoices_per_org, sandbox.config.contacts_per_org = before
    sandbox.config.tidy = False
    sandbox.reset()


def found(tenants: list[Tenant]) -> set[tuple[str, str, str]]:
    for tenant in tenants:
        tenant.refresh_from_db()
        checks.run(tenant)
    return {
        (kind, tenant_id, subject)
        for kind, tenant_id, subject in Finding.objects.filter(
            state=Finding.State.OPEN
        ).values_list("kind", "tenant__tenant_id", "subject")
    }


def test_planted_problems_are_found_and_tidy_books_give_none(tidy_practice, xero) -> None:
    tenants = tidy_practice
    assert found(tenants) == set()

    control(xero.url, "clock", {"advance": 2})  # If-Modified-Since is to the second
    answer = control(xero.url, "plant", {"problems": dict.fromkeys(KINDS, EACH)})
    planted = {
        (item["kind"], item["tenantId"], "|".join(sorted(item["records"])))
        for item in answer["planted"]
    }
    assert len(planted) == EACH * len(KINDS)
    assert len({tenant_id for _, tenant_id, _ in planted}) == ORGANISATIONS
    for tenant in tenants:
        run(tenant, "full")
    findings = found(tenants)

    caught = Counter(kind for kind, *_ in planted & findings)
    for kind in KINDS:
        assert caught[kind] / EACH >= 0.95, (kind, caught[kind])
    assert findings - planted == set()  # and nothing that was not planted


def test_planting_says_clearly_what_it_cannot_do(xero) -> None:
    import requests

    def plant(body: dict) -> requests.Response:
        return requests.post(f"{xero.url}/_sandbox/plant", json=body, timeout=10)

    assert plant({"problems": {"mould": 1}}).status_code == 400
    assert plant({"problems": {}}).status_code == 400
    assert plant({"problems": {"stale_draft": -1}}).status_code == 400
    assert plant({"problems": {"stale_draft": 1}, "tenantIds": ["nope"]}).status_code == 404
    assert "unknown kind mould" in plant({"problems": {"mould": 1}}).json()["detail"]
