"""Who can reach each organisation: users read from the sandbox over HTTP at most once a day,
changes kept between reads over a simulated week, and the audit pages and leaver report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import requests
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import connect, control, stats
from xeroadmin.connections.models import Tenant
from xeroadmin.people import services, tasks
from xeroadmin.people.models import XeroUser, XeroUserChange

pytestmark = pytest.mark.django_db

OUTSIDER = "alex@harbour-accounting.example.com"  # every seeded organisation's adviser


def _user(xero, tenant: Tenant, action: str, **user: object) -> None:
    control(xero.url, "users", {"tenantId": tenant.tenant_id, "action": action, "user": user})


def _users_calls(xero) -> dict[str, int]:
    return stats(xero.url).get("byResource", {}).get("users", {})


def test_a_simulated_week_reads_each_organisation_once_a_day_and_keeps_every_change(
    xero, cast: Cast
) -> None:
    connect(cast)
    tenants = list(Tenant.objects.filter(workspace=cast.workspace).order_by("pk"))
    first, second = tenants[0], tenants[1]
    start = timezone.now()
    seen_changes: dict[int, int] = {}
    for hour in range(7 * 24):
        with time_machine.travel(start + timedelta(hours=hour, minutes=1), tick=True):
            if hour == 30:  # day 2: someone added, someone's role changed
                _user(
                    xero,
                    first,
                    "add",
                    EmailAddress="temp@contractor.example.com",
                    OrganisationRole="STANDARD",
                )
                sam = XeroUser.objects.get(tenant=first, first_name="Sam")
                _user(xero, first, "change", EmailAddress=sam.email, OrganisationRole="READONLY")
            if hour == 80:  # day 4: the outside adviser leaves one organisation
                _user(xero, second, "remove", EmailAddress=OUTSIDER)
            services.users_read_due()
            seen_changes[hour] = XeroUserChange.objects.count()
    calls = _users_calls(xero)
    # Once a day: 7 reads in 168 hours for each organisation, never more.
    assert {t.tenant_id: calls.get(t.tenant_id) for t in tenants} == {
        t.tenant_id: 7 for t in tenants
    }
    # The first read is where everyone starts: no changes until day 2.
    assert seen_changes[29] == 0
    kinds = {
        (c.tenant_id, c.email, c.kind, c.role_before, c.role_after)
        for c in XeroUserChange.objects.all()
    }
    sam_email = XeroUser.objects.get(tenant=first, first_name="Sam").email
    assert kinds == {
        (first.pk, "temp@contractor.example.com", "added", "", "STANDARD"),
        (first.pk, sam_email, "changed", "STANDARD", "READONLY"),
        (second.pk, OUTSIDER, "removed", "FINANCIALADVISER", ""),
    }
    # Each change was seen by the first read after it (within a day), not later.
    added = XeroUserChange.objects.get(kind="added")
    assert added.seen_at - (start + timedelta(hours=30)) < timedelta(hours=25)
    removed = XeroUser.objects.get(tenant=second, email=OUTSIDER)
    assert removed.removed_at is not None
    assert removed.role == "FINANCIALADVISER"  # the role they had, kept
    # The subscriber's address is kept on the organisation (it helps suggest its client).
    first.refresh_from_db()
    assert first.email.startswith("olivia@")


def test_a_refresh_reads_now_but_not_twice_in_a_few_minutes(xero, cast: Cast) -> None:
    connect(cast)
    tenant = Tenant.objects.filter(workspace=cast.workspace).first()
    assert tenant is not None
    assert services.users_read(tenant=tenant) is not None
    assert services.users_read(tenant=tenant) is None  # read today already
    assert services.users_read(tenant=tenant, refresh=True) is None  # a moment ago
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        result = services.users_read(tenant=tenant, refresh=True)
    assert result is not None
    assert result.users == 3
    assert _users_calls(xero)[tenant.tenant_id] == 2


def test_a_newly_connected_organisation_is_read_by_its_task_once(xero, cast: Cast) -> None:
    connect(cast)
    tenant = Tenant.objects.filter(workspace=cast.workspace).first()
    assert tenant is not None
    assert tasks.users_read_one(tenant.pk) == "read"
    assert tasks.users_read_one(tenant.pk) == "not due"
    assert tasks.users_read_one(0) == "gone"
    assert tasks.users_read_due() == 2  # the other two organisations


def test_a_failed_read_is_noted_and_tried_again_within_hours(xero, cast: Cast) -> None:
    connect(cast)
    tenant = Tenant.objects.filter(workspace=cast.workspace).first()
    assert tenant is not None
    control(xero.url, "faults", {"status": 500, "count": 100, "path": "/api.xro/2.0/Users"})
    assert services.users_read_due() == 0
    assert tenant.users_read.last_error
    assert tenant.users_read.read_at is None
    requests.delete(f"{xero.url}/_sandbox/faults", timeout=10)
    assert services.users_read_due() == 0  # not before the hour is out
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=True):
        assert services.users_read_due() >= 1
    tenant.users_read.refresh_from_db()
    assert tenant.users_read.read_at is not None
    assert tenant.users_read.last_error == ""


def _read_all(cast: Cast) -> list[Tenant]:
    tenants = list(Tenant.objects.filter(workspace=cast.workspace).order_by("pk"))
    for tenant in tenants:
        services.users_read(tenant=tenant)
    return tenants


def test_the_audit_pages_and_the_leaver_report(as_admin, xero, cast: Cast) -> None:
    connect(cast)
    tenants = _read_all(cast)
    ws = cast.workspace.pk
    url = reverse("people:audit", args=[ws])
    people = as_admin.get(url)
    assert people.status_code == 200
    assert OUTSIDER.encode() in people.content
    search = as_admin.get(
        url, {"q": "alex"}, headers={"HX-Request": "true", "HX-Target": "people-table"}
    )
    assert b"<html" not in search.content
    assert OUTSIDER.encode() in search.content
    assert b"olivia" not in search.content
    # The adviser is outside the practice (the workspace's members are @example.com).
    outside = as_admin.get(url, {"view": "outside"}).content.decode()
    assert outside.count(OUTSIDER) == len(tenants)
    # Every organisation's owners are outside too, so no organisation has a practice member…
    unreached = as_admin.get(url, {"view": "unreached"}).content.decode()
    assert all(t.name in unreached for t in tenants)
    # …until the adviser's practice is ours.
    as_admin.post(
        reverse("people:domains-save", args=[ws]), {"domains": "harbour-accounting.example.com"}
    )
    unreached = as_admin.get(url, {"view": "unreached"}).content.decode()
    assert "Every organisation read has a practice member" in unreached
    assert OUTSIDER not in as_admin.get(url, {"view": "outside"}).content.decode()
    bad = as_admin.post(
        reverse("people:domains-save", args=[ws]), {"domains": "not a domain"}, follow=True
    )
    assert "is not a domain" in bad.content.decode()
    # One person: every organisation they reach, and the leaver report as CSV.
    person = as_admin.get(reverse("people:person", args=[ws]), {"email": OUTSIDER.upper()})
    assert person.status_code == 200
    assert all(t.name.encode() in person.content for t in tenants)
    report = as_admin.get(reverse("people:leaver-report", args=[ws]), {"email": OUTSIDER})
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert rows[0][:2] == ["organisation", "tenant_id"]
    assert sorted(r[1] for r in rows[1:]) == sorted(t.tenant_id for t in tenants)
    assert {r[6] for r in rows[1:]} == {"Adviser"}
    assert as_admin.get(reverse("people:person", args=[ws])).status_code == 404
    # Changes since a date.
    _user(
        xero,
        tenants[0],
        "add",
        EmailAddress="new@elsewhere.example.com",
        OrganisationRole="FINANCIALADVISER",
    )
    refreshed = as_admin.post(
        reverse("people:organisation-refresh", args=[ws, tenants[0].pk]), follow=True
    )
    assert b"nothing to read yet" in refreshed.content  # read a moment ago
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        refreshed = as_admin.post(
            reverse("people:organisation-refresh", args=[ws, tenants[0].pk]), follow=True
        )
    assert b"1 changed" in refreshed.content
    assert b"new@elsewhere.example.com" in refreshed.content
    # The day the change was seen (the refresh above ran six minutes on: maybe tomorrow).
    seen = timezone.localtime(XeroUserChange.objects.get().seen_at).date()
    changes = as_admin.get(url, {"view": "changes", "since": seen.isoformat()}).content.decode()
    assert "new@elsewhere.example.com" in changes
    later = (seen + timedelta(days=1)).isoformat()
    assert (
        "Nothing changed since"
        in as_admin.get(url, {"view": "changes", "since": later}).content.decode()
    )
    assert as_admin.get(url, {"view": "changes", "since": "not-a-date"}).status_code == 200


def test_the_audit_is_for_admins_only(as_finance, as_outsider, cast: Cast) -> None:
    tenant = Tenant.objects.create(workspace=cast.workspace, tenant_id="t-1", name="Acme")
    ws = cast.workspace.pk
    urls = [
        reverse("people:audit", args=[ws]),
        reverse("people:person", args=[ws]) + "?email=a@b.example.com",
        reverse("people:leaver-report", args=[ws]) + "?email=a@b.example.com",
        reverse("people:organisation", args=[ws, tenant.pk]),
    ]
    for url in urls:
        assert as_finance.get(url).status_code == 403
        assert as_outsider.get(url).status_code == 404
    assert (
        as_finance.post(reverse("people:organisation-refresh", args=[ws, tenant.pk])).status_code
        == 403
    )
