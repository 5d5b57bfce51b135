"""A new workspace's Overview is a getting-started checklist, the next step first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import Cast, make_invitation, make_user
from xeroadmin.tenancy import services


def steps(page: str) -> list[tuple[str, str]]:
    """(state, title) of each step, in order."""
    return re.findall(r'<li class="(done|next|)">.*?<strong>([^<]+)</strong>', page, re.DOTALL)


def test_a_new_workspace_starts_with_connecting_xero(as_owner, cast: Cast) -> None:
    page = as_owner.get(reverse("tenancy:workspace-detail", args=[cast.workspace.pk]))
    body = page.content.decode()
    assert "Getting started" in body
    assert steps(body)[0] == ("next", "Connect your Xero organisations")
    # The team is already invited in this workspace (it has other members): done, last.
    assert steps(body)[-1] == ("done", "Invite your team")


def test_the_next_step_moves_as_the_workspace_is_set_up(as_owner, cast: Cast, books) -> None:
    body = as_owner.get(
        reverse("tenancy:workspace-detail", args=[cast.workspace.pk])
    ).content.decode()
    found = steps(body)
    assert found[0] == ("next", "Map each organisation to a client")  # two are unmapped
    assert ("done", "Connect your Xero organisations") in found


def test_members_who_do_not_run_the_workspace_see_no_checklist(as_viewer, cast: Cast) -> None:
    body = as_viewer.get(
        reverse("tenancy:workspace-detail", args=[cast.workspace.pk])
    ).content.decode()
    assert "Getting started" not in body


@pytest.mark.django_db
def test_an_invitation_sent_counts_as_inviting_the_team(client) -> None:
    owner = make_user("solo@example.com")
    workspace = services.workspace_create(user=owner, name="Solo practice")
    client.force_login(owner)
    url = reverse("tenancy:workspace-detail", args=[workspace.pk])
    assert ("", "Invite your team") in steps(client.get(url).content.decode())
    make_invitation(workspace, "bookkeeper@example.com")
    assert ("done", "Invite your team") in steps(client.get(url).content.decode())
