"""The connections page of a practice with 500 organisations and 500 clients (two in three
mapped, the rest with suggestions to compute), its "unmapped" view, a search as the admin types, and one
row's client picker answering, each against a trivial page through the same middleware and
base template, in one process. Before the picker, each row carried a drop-down of every
client: 250,000 options on this page."""

from __future__ import annotations

from datetime import timedelta

from django.test.utils import override_settings
from django.utils import timezone

from bench.harness import compare, member_workspace

ORGANISATIONS = 500
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "mapping-table"}


def run() -> None:
    from xeroadmin.connections.models import Grant, Tenant
    from xeroadmin.tenancy.models import Client

    _, workspace, http = member_workspace("bench-mapping@example.com", "Bench Practice")
    words = ["Harbour", "Summit", "Kauri", "Totara", "Pacific", "Southern", "Coastal", "Alpine"]
    trades = ["Plumbing", "Dental", "Legal", "Joinery", "Motors", "Cafe", "Farms", "Physio"]
    clients = Client.objects.bulk_create(
        Client(workspace=workspace, name=f"{words[n % 8]} {trades[n // 8 % 8]} {n:03d} Ltd")
        for n in range(ORGANISATIONS)
    )
    grant = Grant.objects.create(
        workspace=workspace,
        client_id="bench-app",
        xero_user_id="bench-user",
        access_token="",
        refresh_token="",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    Tenant.objects.bulk_create(
        Tenant(
            workspace=workspace,
            grant=grant,
            tenant_id=f"bench-tenant-{n}",
            name=f"{words[n % 8]} {trades[n // 8 % 8]} {n:03d} Limited",
            # Two in three are mapped; the rest have a client of the same name, written
            # another way, to be suggested.
            client=clients[n] if n % 3 else None,
        )
        for n in range(ORGANISATIONS)
    )
    unmapped = Tenant.objects.filter(workspace=workspace, client__isnull=True).first()
    assert unmapped is not None
    url = f"/w/{workspace.pk}/connections/"
    options = f"{url}mapping/{unmapped.pk}/clients/"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        page = http.get(url)
        assert page.status_code == 200, page.status_code
        assert page.content.count(b'name="row"') == 50
        unmapped_view = http.get(url, {"view": "unmapped"}, headers=HTMX_TABLE)
        assert unmapped_view.content.count(b"Exact match (same name)") == 50
        assert b"Exact match (same name)" in page.content
        print(f"bench: mapping page size: {len(page.content) / 1024:.0f} KB")
        compare(
            "mapping_page_500_organisations_vs_trivial_page",
            lambda: http.get(url),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        compare(
            "mapping_unmapped_view_vs_trivial_page",
            lambda: http.get(url, {"view": "unmapped"}),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        compare(
            "mapping_search_as_you_type_vs_trivial_page",
            lambda: http.get(url, {"q": "Summit Dental"}, headers=HTMX_TABLE),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        compare(
            "mapping_client_picker_vs_trivial_page",
            lambda: http.get(options, {f"client-{unmapped.pk}": "Coastal"}),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
