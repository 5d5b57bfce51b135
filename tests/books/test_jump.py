"""The quick switcher: organisations (by their name or their client's), clients and pages,
only those the member may see."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests.conftest import Cast
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(cast: Cast) -> dict[str, Tenant]:
    return {
        "acme": Tenant.objects.create(
            workspace=cast.workspace, tenant_id="j-a", name="Acme Trading", client=cast.client_a
        ),
        "bay": Tenant.objects.create(
            workspace=cast.workspace, tenant_id="j-b", name="Bayside Cafe", client=cast.client_b
        ),
    }


def jump(client: HttpClient, cast: Cast, q: str, *, htmx: bool = True) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    answer = client.get(f"/w/{cast.workspace.pk}/jump/", {"q": q}, headers=headers)
    assert answer.status_code == 200
    return answer.content.decode()


def test_it_finds_organisations_by_name_or_client_and_pages(
    as_admin: HttpClient, cast: Cast, orgs: dict[str, Tenant]
) -> None:
    found = jump(as_admin, cast, "acme")
    assert f'data-value="/w/{cast.workspace.pk}/o/{orgs["acme"].pk}/"' in found
    assert "Bayside Cafe" not in found
    by_client = jump(as_admin, cast, cast.client_b.name)
    assert "Bayside Cafe" in by_client
    assert f"/w/{cast.workspace.pk}/clients/{cast.client_b.pk}/" in by_client
    assert "Members" in jump(as_admin, cast, "memb")
    assert 'role="option"' not in jump(as_admin, cast, "zzzz")


def test_a_limited_member_jumps_only_to_their_clients(
    as_limited: HttpClient, cast: Cast, orgs: dict[str, Tenant]
) -> None:
    everything = jump(as_limited, cast, "")
    visible = [name for name in ("Acme Trading", "Bayside Cafe") if name in everything]
    assert len(visible) == 1
    assert "Members" not in everything
    assert "Settings" not in everything


def test_without_javascript_it_is_a_page_of_links(
    as_viewer: HttpClient, cast: Cast, orgs: dict[str, Tenant]
) -> None:
    page = jump(as_viewer, cast, "bay", htmx=False)
    assert "<h1>Jump to</h1>" in page
    assert f'href="/w/{cast.workspace.pk}/o/{orgs["bay"].pk}/"' in page


def test_an_outsider_cannot_jump_into_the_workspace(as_outsider: HttpClient, cast: Cast) -> None:
    assert as_outsider.get(f"/w/{cast.workspace.pk}/jump/").status_code == 404
