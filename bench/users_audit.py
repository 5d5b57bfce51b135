"""The users audit of a practice with 500 organisations (about 2,000 people's access, a week
of changes): its people view, the "outside the practice" view, a person's page and a search,
each against a trivial page through the same middleware and base template, in one process."""

from __future__ import annotations

from datetime import timedelta

from django.test.utils import override_settings
from django.utils import timezone

from bench.harness import compare, member_workspace

ORGANISATIONS = 500
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "people-table"}


def run() -> None:
    from xeroadmin.connections.models import Tenant
    from xeroadmin.people.models import UsersRead, XeroUser, XeroUserChange

    _, workspace, http = member_workspace("bench-people@harbour.example.com", "Bench Practice")
    now = timezone.now()
    tenants = Tenant.objects.bulk_create(
        Tenant(workspace=workspace, tenant_id=f"bench-tenant-{n}", name=f"Organisation {n:03d}")
        for n in range(ORGANISATIONS)
    )
    UsersRead.objects.bulk_create(UsersRead(tenant=t, read_at=now, claimed_at=now) for t in tenants)
    users = []
    for n, tenant in enumerate(tenants):
        people = [
            (f"owner{n}@client{n}.example.com", "FINANCIALADVISER", True),
            (f"staff{n}@client{n}.example.com", "STANDARD", False),
            (f"adviser{n % 12}@harbour.example.com", "FINANCIALADVISER", False),
        ]
        if n % 5 == 0:
            people.append((f"bookkeeper{n % 30}@outside.example.com", "STANDARD", False))
        users += [
            XeroUser(
                workspace=workspace,
                tenant=tenant,
                user_id=f"u-{n}-{i}",
                email=email,
                first_name=email.split("@")[0].title(),
                role=role,
                is_subscriber=subscriber,
                first_seen_at=now - timedelta(days=30),
            )
            for i, (email, role, subscriber) in enumerate(people)
        ]
    XeroUser.objects.bulk_create(users)
    XeroUserChange.objects.bulk_create(
        XeroUserChange(
            workspace=workspace,
            tenant=tenants[n],
            user_id=f"u-{n}-1",
            email=f"staff{n}@client{n}.example.com",
            kind="changed",
            role_before="STANDARD",
            role_after="READONLY",
            seen_at=now - timedelta(hours=n % 150),
        )
        for n in range(300)
    )
    url = f"/w/{workspace.pk}/people/"
    person = f"{url}person/?email=adviser3%40harbour.example.com"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        page = http.get(url)
        assert page.status_code == 200, page.status_code
        assert b"adviser3@harbour.example.com" in page.content
        outside = http.get(url, {"view": "outside"})
        assert b"bookkeeper" in outside.content
        compare(
            "users_audit_500_organisations_vs_trivial_page",
            lambda: http.get(url),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        compare(
            "users_audit_outside_view_vs_trivial_page",
            lambda: http.get(url, {"view": "outside"}),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        compare(
            "users_audit_person_42_organisations_vs_trivial_page",
            lambda: http.get(person),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        compare(
            "users_audit_search_as_you_type_vs_trivial_page",
            lambda: http.get(url, {"q": "staff4"}, headers=HTMX_TABLE),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
