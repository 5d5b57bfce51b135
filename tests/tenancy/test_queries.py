"""List pages run a constant number of queries however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import Cast, make_invitation, make_user
from xeroadmin.tenancy.models import Client, Membership, Role

pytestmark = pytest.mark.django_db


def count_queries(client: HttpClient, url: str) -> int:
    """Queries for one request, after a first one has settled the session."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "page", ["tenancy:client-list", "tenancy:member-list", "tenancy:workspace-detail"]
)
def test_it_does_not_query_per_row(as_owner, cast: Cast, page: str) -> None:
    url = reverse(page, args=[cast.workspace.pk])
    before = count_queries(as_owner, url)
    for n in range(30):
        client = Client.objects.create(workspace=cast.workspace, name=f"Extra {n}")
        member = Membership.objects.create(
            workspace=cast.workspace,
            user=make_user(f"extra{n}@example.com"),
            role=Role.FINANCE,
            limited=True,
        )
        member.clients.add(client)
        make_invitation(cast.workspace, f"invitee{n}@example.com")
    after = count_queries(as_owner, url)
    assert after == before
