"""Access helpers: every view that takes a workspace or an object id resolves it here first.

Outsiders get 404 (never a hint that the object exists); members whose role lacks the right
get 403; members limited to some clients get 404 for the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from xeroadmin.lib.http import HtmxHttpRequest
from xeroadmin.tenancy.models import Client, Invitation, Membership, Role

if TYPE_CHECKING:
    from xeroadmin.accounts.models import User

M = TypeVar("M", bound=Model)


class WorkspaceRequest(HtmxHttpRequest):
    """A signed-in member's request: what a view may rely on once `workspace_membership` has
    let it through (the login decorator has made `user` a User)."""

    user: User
    membership: Membership


SESSION_KEY = "workspace_id"


class TwoFactorRequired(Exception):
    """The workspace requires two-factor authentication and the member has not set it up
    (`tenancy.middleware.two_factor_required` offers the set-up page)."""

    def __init__(self, workspace_name: str) -> None:
        super().__init__(workspace_name)
        self.workspace_name = workspace_name


def workspace_membership(
    request: HttpRequest, workspace_id: int, *, role: str = Role.VIEWER
) -> Membership:
    """The signed-in user's membership of the workspace, with at least `role`."""
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=workspace_id, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    if not membership.has_role(role):
        raise PermissionDenied("Your role in this workspace does not allow this.")
    if membership.workspace.require_mfa and not is_mfa_enabled(membership.user):
        raise TwoFactorRequired(membership.workspace.name)
    # The shell (switcher, navigation) reads it; the session remembers where the user was.
    cast(WorkspaceRequest, request).membership = membership
    if request.session.get(SESSION_KEY) != membership.workspace_id:
        request.session[SESSION_KEY] = membership.workspace_id
    return membership


def visible_to(
    membership: Membership, queryset: QuerySet[M], *, client: str = "client"
) -> QuerySet[M]:
    """`queryset` (rows of the member's workspace) cut to those whose client (reached through
    the `client` lookup) the member may see: all of them unless the member is limited."""
    if membership.limited and not membership.can_admin:
        return queryset.filter(**{f"{client}__limited_members": membership})
    return queryset


def visible_clients(membership: Membership) -> QuerySet[Client]:
    """The clients of the workspace this member may see."""
    clients = Client.objects.filter(workspace_id=membership.workspace_id)
    if membership.limited and not membership.can_admin:
        clients = clients.filter(limited_members=membership)
    return clients


def client_for(membership: Membership, client_id: int) -> Client:
    """A client of the member's workspace that the member may see."""
    return get_object_or_404(visible_clients(membership), pk=client_id)


def member_for(membership: Membership, member_id: int) -> Membership:
    """Another membership of the same workspace."""
    return get_object_or_404(
        Membership.objects.select_related("user", "workspace"),
        pk=member_id,
        workspace_id=membership.workspace_id,
    )


def invitation_for(membership: Membership, invitation_id: int) -> Invitation:
    """An invitation to the member's workspace."""
    return get_object_or_404(Invitation, pk=invitation_id, workspace_id=membership.workspace_id)
