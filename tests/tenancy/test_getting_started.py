"""A new workspace's Overview is a getting-started checklist, the next step first."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.conftest import Cast


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
