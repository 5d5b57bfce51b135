"""Who can reach each connected organisation's books in Xero: its users as Xero lists them
(read at most once a day), and every change seen between two reads."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class XeroRole(models.TextChoices):
    """Xero's OrganisationRole (OAS-ACC schemas.User), in Xero's words."""

    READONLY = "READONLY", "Read only"
    INVOICEONLY = "INVOICEONLY", "Invoice only"
    STANDARD = "STANDARD", "Standard"
    FINANCIALADVISER = "FINANCIALADVISER", "Adviser"
    MANAGEDCLIENT = "MANAGEDCLIENT", "Managed client"
    CASHBOOKCLIENT = "CASHBOOKCLIENT", "Cashbook client"
    UNKNOWN = "UNKNOWN", "Unknown"


# Roles that can see and change the books: what an outsider should not keep by accident.
WIDE_ROLES = (XeroRole.FINANCIALADVISER, XeroRole.STANDARD)


class UsersRead(models.Model):
    """When an organisation's users were last read (at most once a day, or on "refresh")."""

    tenant = models.OneToOneField(
        "connections.Tenant", on_delete=models.CASCADE, related_name="users_read"
    )
    # The claim on the next read (set before asking Xero, so two workers never both ask).
    claimed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # the last read that succeeded
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Users of {self.tenant_id} read {self.read_at}"


class XeroUser(models.Model):
    """One person's access to one organisation, keyed by Xero's UserID in that organisation."""

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="xero_users"
    )
    tenant = models.ForeignKey(
        "connections.Tenant", on_delete=models.CASCADE, related_name="xero_users"
    )
    user_id = models.CharField(max_length=64)
    email = models.CharField(max_length=254, db_index=True)  # lower case
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=32, choices=XeroRole.choices, default=XeroRole.UNKNOWN)
    is_subscriber = models.BooleanField(default=False)
    updated_in_xero = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    # Set when Xero lists them no longer (or as REMOVED); they keep their last role.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["email", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "user_id"], name="people_user_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["workspace", "email"])]

    def __str__(self) -> str:
        return f"{self.email} in {self.tenant_id}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class XeroUserChange(models.Model):
    """A change seen between two reads: someone added, their role changed, or removed."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Role changed"
        REMOVED = "removed", "Removed"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="xero_user_changes"
    )
    tenant = models.ForeignKey(
        "connections.Tenant", on_delete=models.CASCADE, related_name="xero_user_changes"
    )
    user_id = models.CharField(max_length=64)
    email = models.CharField(max_length=254)
    name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    role_before = models.CharField(max_length=32, blank=True)
    role_after = models.CharField(max_length=32, blank=True)
    seen_at = models.DateTimeField()  # the read that saw it
    changed_in_xero = models.DateTimeField(null=True, blank=True)  # Xero's UpdatedDateUTC

    class Meta:
        ordering: ClassVar = ["-seen_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["workspace", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.email} {self.kind} in {self.tenant_id}"
