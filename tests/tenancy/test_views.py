from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import Cast, make_invitation, make_user
from xeroadmin.tenancy.models import Client, Invitation, Membership, Role, Workspace
from xeroadmin.tenancy.tasks import invitation_send

pytestmark = pytest.mark.django_db


def routes(cast: Cast) -> dict[str, tuple[str, set[str]]]:
    """Every workspace route: its URL and the methods it accepts."""
    ws = cast.workspace.pk
    invitation, _ = make_invitation(cast.workspace, "pending@example.com")
    return {
        "workspace-detail": (reverse("tenancy:workspace-detail", args=[ws]), {"GET"}),
        "workspace-settings": (reverse("tenancy:workspace-settings", args=[ws]), {"GET", "POST"}),
        "workspace-delete": (reverse("tenancy:workspace-delete", args=[ws]), {"POST"}),
        "client-list": (reverse("tenancy:client-list", args=[ws]), {"GET"}),
        "client-create": (reverse("tenancy:client-create", args=[ws]), {"POST"}),
        "client-detail": (
            reverse("tenancy:client-detail", args=[ws, cast.client_a.pk]),
            {"GET", "POST"},
        ),
        "client-delete": (
            reverse("tenancy:client-delete", args=[ws, cast.client_a.pk]),
            {"POST"},
        ),
        "member-list": (reverse("tenancy:member-list", args=[ws]), {"GET"}),
        "member-detail": (
            reverse("tenancy:member-detail", args=[ws, cast.finance.pk]),
            {"GET", "POST"},
        ),
        "member-remove": (reverse("tenancy:member-remove", args=[ws, cast.finance.pk]), {"POST"}),
        "invitation-create": (reverse("tenancy:invitation-create", args=[ws]), {"POST"}),
        "invitation-resend": (
            reverse("tenancy:invitation-resend", args=[ws, invitation.pk]),
            {"POST"},
        ),
        "invitation-revoke": (
            reverse("tenancy:invitation-revoke", args=[ws, invitation.pk]),
            {"POST"},
        ),
    }


ROUTE_NAMES = [
    "workspace-detail",
    "workspace-settings",
    "workspace-delete",
    "client-list",
    "client-create",
    "client-detail",
    "client-delete",
    "member-list",
    "member-detail",
    "member-remove",
    "invitation-create",
    "invitation-resend",
    "invitation-revoke",
]


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_sends_anonymous_users_to_sign_in(client, cast: Cast, name: str) -> None:
    url, methods = routes(cast)[name]
    method = "get" if "GET" in methods else "post"
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_hides_the_workspace_from_outsiders(as_outsider, cast: Cast, name: str) -> None:
    url, methods = routes(cast)[name]
    for method in methods:
        assert getattr(as_outsider, method.lower())(url).status_code == 404


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_forbids_viewers_to_write(as_viewer, cast: Cast, name: str) -> None:
    url, methods = routes(cast)[name]
    if "POST" in methods:
        assert as_viewer.post(url).status_code == 403
    # Nothing was changed by the refused requests.
    assert Membership.objects.filter(pk=cast.finance.pk).exists()
    assert Client.objects.filter(pk=cast.client_a.pk).exists()


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_it_rejects_the_wrong_method(as_owner, cast: Cast, name: str) -> None:
    url, methods = routes(cast)[name]
    wrong = "get" if "GET" not in methods else "delete"
    assert getattr(as_owner, wrong)(url).status_code == 405


def test_it_sends_a_new_user_to_create_a_workspace(client) -> None:
    client.force_login(make_user("new@example.com"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Create a workspace" in response.content.decode()


def test_it_shows_a_new_user_the_invitations_addressed_to_them(client, cast: Cast) -> None:
    make_invitation(cast.workspace, "new@example.com")
    client.force_login(make_user("new@example.com"))
    body = client.get(reverse("home")).content.decode()
    assert "Invitations for you" in body
    assert "Northwind IT" in body


def test_it_sends_a_member_to_their_last_workspace(as_owner, cast: Cast) -> None:
    response = as_owner.get(reverse("home"))
    assert response["Location"] == reverse("tenancy:workspace-detail", args=[cast.workspace.pk])


def test_it_creates_a_workspace_owned_by_its_creator(client) -> None:
    user = make_user("new@example.com")
    client.force_login(user)
    response = client.post(reverse("tenancy:workspace-create"), {"name": "  Harbour Accounting "})
    workspace = Workspace.objects.get(name="Harbour Accounting")
    assert response["Location"] == reverse("tenancy:workspace-detail", args=[workspace.pk])
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.OWNER


def test_it_keeps_input_when_the_workspace_name_is_blank(client) -> None:
    client.force_login(make_user("new@example.com"))
    response = client.post(reverse("tenancy:workspace-create"), {"name": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or "Give the" in (
        response.content.decode()
    )
    assert not Workspace.objects.exists()


def test_it_shows_the_workspace_to_every_member(as_viewer, cast: Cast) -> None:
    response = as_viewer.get(reverse("tenancy:workspace-detail", args=[cast.workspace.pk]))
    assert response.status_code == 200
    assert "Northwind IT" in response.content.decode()
    # A viewer is not shown the admin navigation.
    assert reverse("tenancy:member-list", args=[cast.workspace.pk]) not in (
        response.content.decode()
    )


def test_it_renames_the_workspace(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:workspace-settings", args=[cast.workspace.pk])
    assert as_admin.get(url).status_code == 200
    as_admin.post(url, {"name": "Northwind Group"})
    cast.workspace.refresh_from_db()
    assert cast.workspace.name == "Northwind Group"


def test_it_deletes_a_workspace_only_for_its_owner(as_owner, as_admin, cast: Cast) -> None:
    url = reverse("tenancy:workspace-delete", args=[cast.workspace.pk])
    assert as_admin.post(url, {"confirm": "Northwind IT"}).status_code == 403
    response = as_owner.post(url, {"confirm": "Northwind"})
    assert response.status_code == 200
    assert "not the workspace" in response.content.decode()
    response = as_owner.post(url, {"confirm": "Northwind IT"})
    assert response["Location"] == reverse("home")
    assert not Workspace.objects.filter(pk=cast.workspace.pk).exists()


def test_it_lists_and_searches_clients(as_finance, cast: Cast) -> None:
    url = reverse("tenancy:client-list", args=[cast.workspace.pk])
    body = as_finance.get(url).content.decode()
    assert "Acme Holdings" in body
    assert "Bayside Dental" in body
    body = as_finance.get(url, {"q": "bays"}).content.decode()
    assert "Bayside Dental" in body
    assert "Acme Holdings" not in body


def test_it_renders_only_the_client_table_for_htmx_search(as_finance, cast: Cast) -> None:
    url = reverse("tenancy:client-list", args=[cast.workspace.pk])
    response = as_finance.get(
        url, {"q": "acme"}, headers={"HX-Request": "true", "HX-Target": "client-table"}
    )
    body = response.content.decode()
    assert body.strip().startswith('<div id="client-table"')
    assert "<html" not in body
    assert "Acme Holdings" in body


def test_it_shows_limited_members_only_their_clients(as_limited, cast: Cast) -> None:
    body = as_limited.get(reverse("tenancy:client-list", args=[cast.workspace.pk])).content
    assert b"Acme Holdings" in body
    assert b"Bayside Dental" not in body
    url = reverse("tenancy:client-detail", args=[cast.workspace.pk, cast.client_b.pk])
    assert as_limited.get(url).status_code == 404


def test_it_creates_a_client(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:client-create", args=[cast.workspace.pk])
    response = as_admin.post(url, {"name": "Cobalt Cafe", "external_ref": "C-9", "notes": ""})
    assert response.status_code == 302
    assert Client.objects.filter(workspace=cast.workspace, name="Cobalt Cafe").exists()


def test_it_rejects_a_duplicate_client_name_keeping_the_input(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:client-create", args=[cast.workspace.pk])
    response = as_admin.post(
        url, {"name": "acme holdings", "external_ref": "REF-7", "notes": "kept"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "already has a client" in body
    assert 'value="REF-7"' in body
    assert Client.objects.filter(workspace=cast.workspace).count() == 2


def test_it_answers_htmx_client_creation_with_the_form_and_table(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:client-create", args=[cast.workspace.pk])
    response = as_admin.post(url, {"name": "Cobalt Cafe"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<section class="card" id="client-form"')
    assert 'hx-swap-oob="true"' in body
    assert "Cobalt Cafe" in body


def test_it_edits_and_deletes_a_client(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:client-detail", args=[cast.workspace.pk, cast.client_a.pk])
    assert as_admin.get(url).status_code == 200
    as_admin.post(url, {"name": "Acme Group", "external_ref": "X", "notes": "n"})
    cast.client_a.refresh_from_db()
    assert cast.client_a.name == "Acme Group"
    as_admin.post(reverse("tenancy:client-delete", args=[cast.workspace.pk, cast.client_a.pk]))
    assert not Client.objects.filter(pk=cast.client_a.pk).exists()


def test_it_shows_client_details_read_only_to_viewers(as_viewer, cast: Cast) -> None:
    url = reverse("tenancy:client-detail", args=[cast.workspace.pk, cast.client_a.pk])
    body = as_viewer.get(url).content.decode()
    assert "Acme Holdings" in body
    assert '<form method="post" class="form">' not in body


def test_it_lists_members_for_admins_only(as_admin, as_finance, cast: Cast) -> None:
    url = reverse("tenancy:member-list", args=[cast.workspace.pk])
    body = as_admin.get(url).content.decode()
    assert "finance@example.com" in body
    assert as_finance.get(url).status_code == 403


def test_it_limits_a_member_to_chosen_clients(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:member-detail", args=[cast.workspace.pk, cast.finance.pk])
    assert as_admin.get(url).status_code == 200
    as_admin.post(url, {"role": "finance", "limited": "on", "clients": [cast.client_b.pk]})
    cast.finance.refresh_from_db()
    assert cast.finance.limited
    assert list(cast.finance.clients.all()) == [cast.client_b]


def test_it_refuses_a_client_from_another_workspace(as_admin, cast: Cast) -> None:
    foreign = Client.objects.create(workspace=cast.outsider_workspace, name="Foreign")
    url = reverse("tenancy:member-detail", args=[cast.workspace.pk, cast.finance.pk])
    response = as_admin.post(url, {"role": "finance", "limited": "on", "clients": [foreign.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cast.finance.refresh_from_db()
    assert not cast.finance.limited


def test_it_lets_only_owners_appoint_owners(as_admin, as_owner, cast: Cast) -> None:
    url = reverse("tenancy:member-detail", args=[cast.workspace.pk, cast.finance.pk])
    response = as_admin.post(url, {"role": "owner"})
    assert response.status_code == 200
    cast.finance.refresh_from_db()
    assert cast.finance.role == Role.FINANCE
    as_owner.post(url, {"role": "owner"})
    cast.finance.refresh_from_db()
    assert cast.finance.role == Role.OWNER


def test_it_keeps_the_last_owner(as_owner, cast: Cast) -> None:
    url = reverse("tenancy:member-detail", args=[cast.workspace.pk, cast.owner.pk])
    response = as_owner.post(url, {"role": "admin"})
    assert "needs an owner" in response.content.decode()
    cast.owner.refresh_from_db()
    assert cast.owner.role == Role.OWNER


def test_it_removes_a_member(as_admin, cast: Cast) -> None:
    as_admin.post(reverse("tenancy:member-remove", args=[cast.workspace.pk, cast.finance.pk]))
    assert not Membership.objects.filter(pk=cast.finance.pk).exists()


def test_it_lets_a_viewer_leave(as_viewer, cast: Cast) -> None:
    response = as_viewer.post(
        reverse("tenancy:member-remove", args=[cast.workspace.pk, cast.viewer.pk])
    )
    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(pk=cast.viewer.pk).exists()


def test_it_stops_an_admin_removing_an_owner(as_admin, cast: Cast) -> None:
    response = as_admin.post(
        reverse("tenancy:member-remove", args=[cast.workspace.pk, cast.owner.pk]), follow=True
    )
    assert "Only an owner" in response.content.decode()
    assert Membership.objects.filter(pk=cast.owner.pk).exists()


def test_it_invites_by_email_and_sends_the_link(
    as_admin, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    url = reverse("tenancy:invitation-create", args=[cast.workspace.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_admin.post(
            url, {"email": "New@Example.com", "role": "finance"}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<div id="invitations">')
    assert "new@example.com" in body
    assert len(callbacks) == 1  # the e-mail is enqueued only once the invitation is committed
    invitation = Invitation.objects.get(email="new@example.com")
    assert invitation_send(invitation.pk) is True
    assert invitation_send(invitation.pk) is False  # a redelivered task sends nothing twice
    assert len(mail.outbox) == 1
    assert reverse("tenancy:invitation-accept", args=[invitation.token]) in mail.outbox[0].body


def test_it_refuses_to_invite_an_existing_member(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:invitation-create", args=[cast.workspace.pk])
    response = as_admin.post(url, {"email": "viewer@example.com", "role": "finance"})
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_refuses_a_malformed_invitation_email(as_admin, cast: Cast) -> None:
    url = reverse("tenancy:invitation-create", args=[cast.workspace.pk])
    response = as_admin.post(url, {"email": "not-an-address", "role": "finance"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_resends_and_revokes_invitations(as_admin, cast: Cast) -> None:
    invitation, _ = make_invitation(cast.workspace, "late@example.com", days=-1)
    as_admin.post(reverse("tenancy:invitation-resend", args=[cast.workspace.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.is_pending
    as_admin.post(reverse("tenancy:invitation-revoke", args=[cast.workspace.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED


def test_it_accepts_an_invitation(client, cast: Cast) -> None:
    _, token = make_invitation(cast.workspace, "joiner@example.com", role=Role.VIEWER)
    client.force_login(make_user("Joiner@example.com"))
    url = reverse("tenancy:invitation-accept", args=[token])
    assert "Join Northwind IT" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("tenancy:workspace-detail", args=[cast.workspace.pk])
    membership = Membership.objects.get(workspace=cast.workspace, user__email="joiner@example.com")
    assert membership.role == Role.VIEWER
    # Used once: a second attempt is told so, and nothing is duplicated.
    response = client.post(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert Membership.objects.filter(workspace=cast.workspace).count() == 6


def test_it_asks_anonymous_visitors_to_sign_in_first(client, cast: Cast) -> None:
    _, token = make_invitation(cast.workspace, "joiner@example.com")
    url = reverse("tenancy:invitation-accept", args=[token])
    body = client.get(url).content.decode()
    assert "Create an account" in body
    assert client.post(url).status_code == 200
    assert not Membership.objects.filter(user__email="joiner@example.com").exists()


@pytest.mark.parametrize(
    ("days", "revoked", "message", "status"),
    [
        (-1, False, "has expired", 410),
        (7, True, "was withdrawn", 410),
    ],
)
def test_it_explains_unusable_invitations(
    client, cast: Cast, days: int, revoked: bool, message: str, status: int
) -> None:
    invitation, token = make_invitation(cast.workspace, "joiner@example.com", days=days)
    if revoked:
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created_at)
    client.force_login(make_user("joiner@example.com"))
    response = client.post(reverse("tenancy:invitation-accept", args=[token]))
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Membership.objects.filter(user__email="joiner@example.com").exists()


def test_it_refuses_an_invitation_meant_for_someone_else(client, cast: Cast) -> None:
    _, token = make_invitation(cast.workspace, "joiner@example.com")
    client.force_login(make_user("intruder@example.com"))
    response = client.post(reverse("tenancy:invitation-accept", args=[token]))
    assert response.status_code == 403
    assert "different e-mail address" in response.content.decode()
    assert not Membership.objects.filter(user__email="intruder@example.com").exists()


def test_it_explains_a_tampered_invitation_link(client, cast: Cast) -> None:
    make_invitation(cast.workspace, "joiner@example.com")
    response = client.get(reverse("tenancy:invitation-accept", args=["tampered-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
