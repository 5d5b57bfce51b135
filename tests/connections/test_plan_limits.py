"""Xero's plan limits, held before Xero's: on Starter (1,000 calls a day per organisation,
the sandbox enforcing the same) the warning shows at 800 and the refusal comes without a
single 429; a connection over the plan's cap is refused with the reason, in Xero too."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Cast, make_user
from tests.connections.helpers import connect, organisations, stats
from xeroadmin.connections import clients, usage
from xeroadmin.connections.models import ApiUsage, Grant, Tenant
from xeroadmin.tenancy import services as tenancy
from xeroadmin.xero.errors import XeroRateLimited

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter(xero, settings):
    settings.XERO_PLAN = "starter"
    settings.XERO_DAILY_LIMIT = 1000
    before = xero.sandbox.limits.daily
    xero.sandbox.limits.daily = 1000  # Xero's own limit on Starter
    xero.sandbox.limits.reset()
    yield xero
    xero.sandbox.limits.daily = before  # the sandbox serves the other tests too


def test_starter_warns_at_800_calls_and_refuses_before_xero_does(
    as_admin, starter, cast: Cast
) -> None:
    connect(cast, tenants=[organisations(starter.url)[0]["tenantId"]])
    tenant = Tenant.objects.select_related("grant").get(workspace=cast.workspace)
    page_url = reverse("connections:usage", args=[cast.workspace.pk])
    start = timezone.now()
    made = 0
    warned_at = None
    refused = None
    # 45 calls a minute (background work leaves the last 12 of Xero's 60 to people), the
    # clocks moved on a minute between batches.
    for minute in range(40):
        with time_machine.travel(start + timedelta(minutes=minute * 1.1), tick=True):
            client = clients.tenant_client(tenant, purpose="background", max_wait=5)
            for _ in range(45):
                try:
                    client.get("Currencies")
                except XeroRateLimited as error:
                    refused = error
                    break
                made += 1
            if warned_at is None and b"Over 80%" in as_admin.get(page_url).content:
                warned_at = made
        if refused is not None:
            break
    assert refused is not None
    assert refused.problem == "day"
    # Background work stops short of the limit, leaving the last 5% to people.
    assert 940 <= made <= 1000
    assert warned_at is not None
    assert 800 <= warned_at < 860
    seen = stats(starter.url)
    assert seen["rejected"] == {}  # Xero never had to refuse a call
    usage.flush()
    # (Rows by day: the clocks may have passed midnight meanwhile.)
    counted = ApiUsage.objects.filter(tenant_id=tenant.tenant_id).aggregate(
        calls=Sum("calls"), bytes=Sum("bytes")
    )
    assert counted["calls"] >= made
    assert counted["bytes"] > 0
    page = as_admin.get(page_url).content.decode()
    assert "Starter" in page
    # Every call counted, the consent's own included.
    assert f"{seen['byTenant'][tenant.tenant_id]} of 1,000" in page


def test_bytes_are_measured_per_organisation_and_organisation_calls_are_not(
    as_admin, xero, cast: Cast
) -> None:
    connect(cast, tenants=[organisations(xero.url)[0]["tenantId"]])
    tenant = Tenant.objects.select_related("grant").get(workspace=cast.workspace)
    ApiUsage.objects.all().delete()
    client = clients.tenant_client(tenant)
    body = client.request("GET", "Contacts")
    client.get("Organisation")
    assert not ApiUsage.objects.exists()  # counted in memory until a request or task ends
    usage.flush()
    row = ApiUsage.objects.get(tenant_id=tenant.tenant_id)
    assert row.calls == 2
    assert row.bytes == len(body.content)
    page = as_admin.get(reverse("connections:usage", args=[cast.workspace.pk]))
    assert tenant.name.encode() in page.content


def _used(count: int, settings) -> None:
    """`count` organisations already connected through the deployment's app elsewhere."""
    other = make_user("other-practice@example.net")
    owner = tenancy.workspace_create(user=other, name="Elsewhere")
    grant = Grant.objects.create(
        workspace=owner,
        client_id=settings.XERO_CLIENT_ID,
        xero_user_id="someone-else",
        access_token="",
        refresh_token="",
        expires_at=timezone.now(),
    )
    for n in range(count):
        Tenant.objects.create(workspace=owner, grant=grant, tenant_id=f"other-{n}", name=f"O{n}")


def test_a_connection_over_the_plans_cap_is_refused_with_the_reason(
    as_admin, starter, cast: Cast, settings
) -> None:
    _used(4, settings)  # Starter allows 5
    orgs = organisations(starter.url)
    with pytest.raises(
        ValidationError,
        match="allows 5 connected organisations; 4 are connected, and this would add 2",
    ):
        connect(cast, tenants=[orgs[0]["tenantId"], orgs[1]["tenantId"]])
    assert not Tenant.objects.filter(workspace=cast.workspace).exists()
    # Taken back in Xero too: the app's connections there are what they were.
    assert not [
        c
        for c in starter.sandbox.state.world.connections.values()
        if c.tenant_id in {orgs[0]["tenantId"], orgs[1]["tenantId"]}
    ]
    connect(cast, tenants=[orgs[0]["tenantId"]])
    assert usage.connections_used() == 5
    # At the cap, "Connect" is refused before Xero's consent page.
    answer = as_admin.post(reverse("connections:connect", args=[cast.workspace.pk]))
    assert answer["Location"] == reverse("connections:tenant-list", args=[cast.workspace.pk])
    said = " ".join(str(m) for m in get_messages(answer.wsgi_request))
    assert "Starter plan, which allows 5 connected organisations" in said
    # Reconnecting one already connected is not a new connection.
    connect(cast, tenants=[orgs[0]["tenantId"]])
    page = as_admin.get(reverse("connections:usage", args=[cast.workspace.pk])).content.decode()
    assert "5 of the plan's 5 connections are in use" in page


def test_the_certification_page_says_how_each_checkpoint_is_met(as_admin, cast: Cast) -> None:
    page = as_admin.get(reverse("connections:certification", args=[cast.workspace.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "8. Sign up with Xero" in text
    assert reverse("connections:usage", args=[cast.workspace.pk]) in text
    assert "Not yet" in text  # deep linking, honestly
    assert reverse("account_signup") in text
