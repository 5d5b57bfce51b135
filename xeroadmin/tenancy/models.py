"""Workspaces, their members and roles, their clients, and invitations to join."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from xeroadmin.lib.crypto import EncryptedTextField


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    FINANCE = "finance", "Finance"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.FINANCE: 1, Role.ADMIN: 2, Role.OWNER: 3}

ROLE_HELP = {
    Role.OWNER: "Everything, including deleting the workspace and appointing owners.",
    Role.ADMIN: "Connects organisations, maps clients and manages members.",
    Role.FINANCE: "Browses and edits the books of the clients they can see.",
    Role.VIEWER: "Reads the books of the clients they can see; changes nothing.",
}


def role_at_least(role: str, minimum: str) -> bool:
    """Whether `role` carries every right of `minimum`."""
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    # Each edit made here is also written to the record's History and Notes in Xero.
    history_notes = models.BooleanField(
        "note edits in Xero's history",
        default=True,
        help_text="Add “Edited in xeroadmin by …” to a record's History and Notes in Xero.",
    )
    require_mfa = models.BooleanField(
        "require two-factor authentication",
        default=False,
        help_text="Members without it are asked to set it up before they can open this workspace.",
    )
    # The practice's own e-mail domains, comma-separated (blank: its members' domains): who
    # is "outside the practice" in the Xero users audit.
    practice_domains = models.CharField("practice e-mail domains", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    """A client the workspace looks after (an MSP's customer, a practice's client)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    external_ref = models.CharField(
        "external reference",
        max_length=100,
        blank=True,
        help_text="The client's id in your PSA or practice software, if any.",
    )
    # Used to suggest the client of a newly connected organisation.
    tax_number = models.CharField(
        "tax number", max_length=50, blank=True, help_text="GST, ABN or VAT number, if known."
    )
    email = models.EmailField(
        "e-mail", blank=True, help_text="The client's own e-mail address (its domain is matched)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                "workspace", Lower("name"), name="tenancy_client_name_unique_in_workspace"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    # A limited member sees only the clients listed in `clients` (an MSP technician, say).
    limited = models.BooleanField("limited to chosen clients", default=False)
    clients = models.ManyToManyField(Client, blank=True, related_name="limited_members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "user"], name="tenancy_one_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        """Whether this member's role carries every right of `minimum`."""
        return role_at_least(self.role, minimum)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def can_edit(self) -> bool:
        return self.has_role(Role.FINANCE)


def token_digest(token: str) -> str:
    """The stored form of an invitation token: its SHA-256, so a lookup never needs the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.FINANCE)
    token_digest = models.CharField(max_length=64, unique=True)
    # Kept (encrypted) so the e-mail task and a resend can rebuild the link from an id alone.
    token = EncryptedTextField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [models.Index(Lower("email"), name="tenancy_invitation_email_ci")]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
