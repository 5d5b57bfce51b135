"""Reads shared by the tenancy views; each is scoped by workspace or by user."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.tenancy.access import visible_clients
from xeroadmin.tenancy.models import Client, Invitation, Membership, Workspace


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships, with their workspaces, in name order."""
    return (
        Membership.objects.filter(user=user)
        .select_related("workspace")
        .order_by("workspace__name", "workspace_id")
    )


def client_list(*, membership: Membership, search: str = "") -> QuerySet[Client]:
    """The clients this member may see, optionally filtered by name or reference."""
    clients = visible_clients(membership).annotate(member_count=Count("limited_members"))
    if search:
        clients = clients.filter(Q(name__icontains=search) | Q(external_ref__icontains=search))
    return clients.order_by("name", "pk")


def member_list(*, workspace: Workspace) -> QuerySet[Membership]:
    """The workspace's members, with the clients limited members may see."""
    two_factor = Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related("clients")
        .annotate(has_mfa=Exists(two_factor))
        .order_by("user__email")
    )


def invitation_list_pending(*, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations to the workspace that can still be accepted."""
    return Invitation.objects.filter(
        workspace=workspace,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def invitation_list_for_user(*, user: User) -> QuerySet[Invitation]:
    """Pending invitations addressed to any of the user's verified e-mail addresses."""
    from allauth.account.models import EmailAddress

    emails = set(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    query = Q()
    for email in emails:
        query |= Q(email__iexact=email)
    if not emails:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(query, accepted_at__isnull=True, revoked_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .exclude(workspace__memberships__user=user)
        .select_related("workspace", "invited_by")
    )
