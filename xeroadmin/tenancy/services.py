"""Writes for workspaces, clients, members and invitations.

Each is atomic and raises ValidationError (with a message fit to show) when a rule forbids it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.lib.tasks import enqueue_on_commit
from xeroadmin.tenancy.models import (
    Client,
    Invitation,
    Membership,
    Role,
    Workspace,
    token_digest,
)


@transaction.atomic
def workspace_create(*, user: User, name: str) -> Workspace:
    """Create a workspace owned by `user`."""
    workspace = Workspace.objects.create(name=name.strip(), created_by=user)
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    return workspace


@transaction.atomic
def workspace_rename(*, workspace: Workspace, name: str) -> Workspace:
    """Rename a workspace."""
    workspace.name = name.strip()
    workspace.save(update_fields=["name"])
    return workspace


def workspace_policy(*, workspace: Workspace, require_mfa: bool, history_notes: bool) -> Workspace:
    """Set how the workspace works (see `WorkspacePolicyForm`)."""
    workspace.require_mfa = require_mfa
    workspace.history_notes = history_notes
    workspace.save(update_fields=["require_mfa", "history_notes"])
    return workspace


def workspace_practice_domains(*, workspace: Workspace, domains: list[str]) -> Workspace:
    """Set the practice's own e-mail domains (who counts as outside it)."""
    workspace.practice_domains = ", ".join(domains)[:500]
    workspace.save(update_fields=["practice_domains"])
    return workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace) -> None:
    """Delete a workspace and everything in it."""
    workspace.delete()


def _client_save(client: Client) -> Client:
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ValidationError(
            {"name": f"This workspace already has a client called “{client.name}”."}
        ) from None
    return client


def client_create(
    *,
    workspace: Workspace,
    name: str,
    notes: str = "",
    external_ref: str = "",
    tax_number: str = "",
    email: str = "",
) -> Client:
    """Add a client to the workspace; names are unique in a workspace, ignoring case."""
    client = Client(
        workspace=workspace,
        name=name.strip(),
        notes=notes,
        external_ref=external_ref.strip(),
        tax_number=tax_number.strip(),
        email=email.strip(),
    )
    return _client_save(client)


def client_update(
    *,
    client: Client,
    name: str,
    notes: str,
    external_ref: str,
    tax_number: str = "",
    email: str = "",
) -> Client:
    """Change a client's details."""
    client.name = name.strip()
    client.notes = notes
    client.external_ref = external_ref.strip()
    client.tax_number = tax_number.strip()
    client.email = email.strip()
    return _client_save(client)


@transaction.atomic
def client_delete(*, client: Client) -> None:
    """Remove a client from the workspace."""
    client.delete()


def _lock_owners(workspace_id: int) -> None:
    # Lock the workspace's owner rows so two concurrent demotions or removals cannot both
    # pass the "another owner remains" check and leave the workspace ownerless.
    list(Membership.objects.select_for_update().filter(workspace_id=workspace_id, role=Role.OWNER))


def _owner_count(workspace_id: int) -> int:
    return Membership.objects.filter(workspace_id=workspace_id, role=Role.OWNER).count()


def _check_may_manage(actor: Membership, target_role: str) -> None:
    if target_role == Role.OWNER and not actor.is_owner:
        raise ValidationError("Only an owner can appoint or change owners.")


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    limited: bool,
    clients: list[Client],
) -> Membership:
    """Change a member's role and the clients they are limited to."""
    _lock_owners(membership.workspace_id)
    _check_may_manage(actor, membership.role)
    _check_may_manage(actor, role)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(membership.workspace_id) == 1
    ):
        raise ValidationError("A workspace needs an owner: appoint another owner first.")
    if any(client.workspace_id != membership.workspace_id for client in clients):
        raise ValidationError("Those clients are not in this workspace.")
    membership.role = role
    membership.limited = limited
    membership.save(update_fields=["role", "limited"])
    membership.clients.set(clients if limited else [])
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """Remove a member from the workspace (or let a member leave it)."""
    _lock_owners(membership.workspace_id)
    if actor.pk != membership.pk:
        _check_may_manage(actor, membership.role)
    if membership.role == Role.OWNER and _owner_count(membership.workspace_id) == 1:
        raise ValidationError("A workspace needs an owner: appoint another owner first.")
    membership.delete()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str) -> Invitation:
    """Invite someone by e-mail; the invitation e-mail is sent after commit."""
    from xeroadmin.tenancy.tasks import invitation_send

    email = email.strip().lower()
    _check_may_manage(actor, role)
    workspace = actor.workspace
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this workspace."})
    # A new invitation replaces any earlier one still pending for the same address.
    Invitation.objects.filter(
        Q(workspace=workspace, email__iexact=email),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    token = _new_token()
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token=token,
        token_digest=token_digest(token),
        invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    enqueue_on_commit(invitation_send, invitation.pk)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send a pending invitation again, with a fresh expiry date."""
    from xeroadmin.tenancy.tasks import invitation_send

    if not invitation.is_pending and invitation.status != Invitation.Status.EXPIRED:
        raise ValidationError("This invitation has already been accepted or revoked.")
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)
    invitation.sent_at = None
    invitation.save(update_fields=["expires_at", "sent_at"])
    enqueue_on_commit(invitation_send, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Withdraw an invitation so that its link no longer works."""
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been accepted.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


class InvitationError(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""

    def __init__(self, message: str, *, invitation: Invitation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.invitation = invitation


def invitation_by_token(*, token: str) -> Invitation:
    """The invitation a link's token belongs to, or InvitationError."""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Check that you copied the whole link, "
            "or ask for a new invitation."
        )
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationError(
            "This invitation has already been used. Sign in to reach the workspace, "
            "or ask for a new invitation.",
            invitation=invitation,
        )
    if status == Invitation.Status.REVOKED:
        raise InvitationError(
            "This invitation was withdrawn. Ask the person who invited you for a new one.",
            invitation=invitation,
        )
    if status == Invitation.Status.EXPIRED:
        raise InvitationError(
            "This invitation has expired. Ask the person who invited you to send it again.",
            invitation=invitation,
        )
    return invitation


def _user_owns_email(user: User, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's workspace as `user`, whose verified e-mail it must be sent to."""
    invitation = invitation_by_token(token=token)
    # Re-read under a lock: two clicks on "Accept" must not both pass the checks above.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError("This invitation has already been used.", invitation=invitation)
    if not _user_owns_email(user, invitation.email):
        raise InvitationError(
            f"This invitation was sent to a different e-mail address than yours ({user.email}). "
            "Sign in with the address it was sent to, or ask for an invitation to yours.",
            invitation=invitation,
        )
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
