"""Walks every URL pattern that takes a workspace or object id, so that a view added later
without an access check fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import Cast, make_invitation
from xeroadmin.alerts.models import Channel, Rule
from xeroadmin.books.models import (
    Account,
    Contact,
    Document,
    Employee,
    Invoice,
    Item,
    Payment,
)
from xeroadmin.bulk.models import BulkJob, BulkPart, BulkRow
from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.portfolio.models import Finding
from xeroadmin.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

# Namespaces whose URLs take no workspace or object of ours (allauth's keys, Django's admin).
FOREIGN_NAMESPACES = {"admin"}
FOREIGN_MODULES = ("allauth.", "django.contrib.admin")
# Parameters that identify something other than a workspace object, tested on their own.
OWN_CHECK_PARAMETERS = {"token", "provider_id"}
# What a viewer writes of their own: subscriptions, and their notifications read (tested in
# tests/alerts); the workspace's rules stay closed to them, and the walk checks that.
VIEWERS_OWN = {"alerts:rule-new", "alerts:notification-read"}


def walk(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in FOREIGN_NAMESPACES:
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def id_routes() -> list[tuple[str, URLPattern]]:
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if module.startswith(FOREIGN_MODULES):
            continue
        if pattern.pattern.converters:
            routes.append((route, pattern))
    return routes


def fill(route: str, values: dict[str, int]) -> str:
    import re

    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in values:
            raise AssertionError(
                f"{route}: no test value for <{name}>; add one to this test so the route is checked"
            )
        return str(values[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def values_for(cast: Cast) -> dict[str, int]:
    invitation, _ = make_invitation(cast.workspace, "pending@example.com")
    tenant = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-1", name="Acme Ltd", client=cast.client_b
    )
    app = XeroApp.objects.create(
        workspace=cast.workspace, name="Own", client_id="own", client_secret="secret"
    )
    invoice = Invoice.objects.create(
        tenant=tenant, xero_id="i-1", type="ACCREC", status="DRAFT", number="INV-1"
    )
    payment = Payment.objects.create(tenant=tenant, xero_id="p-1", invoice=invoice)
    contact = Contact.objects.create(tenant=tenant, xero_id="c-1", name="Someone")
    item = Item.objects.create(tenant=tenant, xero_id="it-1", code="X")
    account = Account.objects.create(tenant=tenant, xero_id="a-1", code="200", name="Sales")
    document = Document.objects.create(
        tenant=tenant, xero_id="d-1", kind="credit_note", status="AUTHORISED", number="CN-1"
    )
    delivery = WebhookDelivery.objects.create(app=app, body=b"{}")
    finding = Finding.objects.create(
        workspace=cast.workspace,
        tenant=tenant,
        kind="stale_draft",
        subject="i-1",
        summary="Draft INV-1 for Zephyr has waited",
        inputs="x",
    )
    job = BulkJob.objects.create(workspace=cast.workspace, action="approve", key="k")
    part = BulkPart.objects.create(job=job, tenant=tenant)
    BulkRow.objects.create(
        job=job, part=part, record_pk=invoice.pk, xero_id="i-1", label="Zephyr Hidden Books"
    )
    rule = Rule.objects.create(workspace=cast.workspace, condition="needs_reconnect")
    rule.tenants.add(tenant)
    channel = Channel.objects.create(
        workspace=cast.workspace, kind="slack", name="Zephyr", url="https://hooks.example.com/x"
    )
    employee = Employee.objects.create(
        tenant=tenant, xero_id="e-1", first_name="Zephyr", last_name="Hidden Books"
    )
    return {
        "pk": employee.pk,
        "rule_id": rule.pk,
        "channel_id": channel.pk,
        "job_id": job.pk,
        "finding_id": finding.pk,
        "delivery_id": delivery.pk,
        "tenant_pk": tenant.pk,
        "kind": "pdf",  # type: ignore[dict-item]
        "record_pk": invoice.pk,
        "invoice_pk": invoice.pk,
        "payment_pk": payment.pk,
        "contact_pk": contact.pk,
        "item_pk": item.pk,
        "account_pk": account.pk,
        "document_pk": document.pk,
        "side": "aged-receivables",  # type: ignore[dict-item]
        "report": "profit-and-loss",  # type: ignore[dict-item]
        "app_id": app.pk,
        "ws": cast.workspace.pk,
        "client_id": cast.client_b.pk,
        "member_id": cast.owner.pk,
        "invitation_id": invitation.pk,
    }


def test_it_finds_the_routes_it_walks() -> None:
    assert len(id_routes()) >= 10


def test_it_hides_every_workspace_route_from_outsiders(as_outsider, cast: Cast) -> None:
    values = values_for(cast)
    for route, pattern in id_routes():
        if set(pattern.pattern.converters) & OWN_CHECK_PARAMETERS:
            continue
        url = fill(route, values)
        for method in ("get", "post"):
            response = getattr(as_outsider, method)(url)
            assert response.status_code in (404, 405), f"{method.upper()} {url}: {response}"
            if response.status_code == 405:
                # The method is refused before any lookup: the other one must then be 404.
                other = "post" if method == "get" else "get"
                assert getattr(as_outsider, other)(url).status_code == 404, url


def test_it_hides_other_clients_from_limited_members(as_limited, cast: Cast) -> None:
    values = values_for(cast)
    for route, pattern in id_routes():
        if "client_id" not in pattern.pattern.converters:
            continue
        url = fill(route, values)
        for method in ("get", "post"):
            response = getattr(as_limited, method)(url)
            assert response.status_code in (403, 404, 405), f"{method.upper()} {url}"
        assert as_limited.get(url).status_code in (404, 405), url


def test_it_forbids_every_write_to_viewers(as_viewer, cast: Cast) -> None:
    values = values_for(cast)
    for route, pattern in id_routes():
        if set(pattern.pattern.converters) & OWN_CHECK_PARAMETERS:
            continue
        url = fill(route, values)
        if f"alerts:{pattern.name}" in VIEWERS_OWN:
            continue
        response = as_viewer.post(url)
        assert response.status_code in (403, 404, 405), f"POST {url}: {response.status_code}"


def test_a_limited_member_never_reads_another_clients_organisation(as_limited, cast: Cast) -> None:
    values = values_for(cast)
    # Client B's organisation needs reconnecting; client A's (the member's) is fine.
    Tenant.objects.filter(pk=values["tenant_pk"]).update(
        name="Zephyr Hidden Books", status=Tenant.Status.NEEDS_RECONNECT
    )
    mine = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-2", name="Acme Visible", client=cast.client_a
    )
    invoice = Invoice.objects.create(tenant=mine, xero_id="i-2", type="ACCREC", number="INV-2")
    crafted = "?name=../../../../../connections"
    pages = 0
    for route, pattern in id_routes():
        if set(pattern.pattern.converters) & OWN_CHECK_PARAMETERS:
            continue
        theirs_and_mine = ((values["tenant_pk"], values["record_pk"]), (mine.pk, invoice.pk))
        for tenant_pk, record_pk in theirs_and_mine:
            given: dict[str, Any] = {
                "tenant_pk": tenant_pk,
                "record_pk": record_pk,
                "kind": "invoices",
            }
            url = fill(route, values | given)
            for query in ("", crafted):
                response = as_limited.get(url + query)
                body = getattr(response, "content", b"")
                assert b"Zephyr Hidden Books" not in body, url + query
                assert b"tenantId" not in body, url + query
                pages += response.status_code == 200
    for path in ("/", f"/w/{cast.workspace.pk}/", f"/w/{cast.workspace.pk}/activity/"):
        response = as_limited.get(path, follow=True)
        assert b"Zephyr Hidden Books" not in response.content
        # No alert about the hidden organisation (the portfolio's status filter may offer
        # "Needs reconnecting" as a choice; the alert is what must not show).
        assert b'id="connection-alerts"' not in response.content
    assert pages > 10
