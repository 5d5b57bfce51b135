"""Reading who can reach each organisation: a person's organisations, people outside the
practice with wide access, organisations no practice member reaches, and what changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from xeroadmin.connections.matching import PUBLIC_MAIL
from xeroadmin.connections.models import Tenant
from xeroadmin.people.models import WIDE_ROLES, XeroUser, XeroUserChange
from xeroadmin.tenancy.models import Membership, Workspace


def practice_domains(workspace: Workspace) -> list[str]:
    """The practice's e-mail domains: as the workspace sets them, else its members' own
    (public mail services aside)."""
    written = [d.strip().lower().lstrip("@") for d in workspace.practice_domains.split(",")]
    if any(written):
        return sorted({d for d in written if d})
    emails = Membership.objects.filter(workspace=workspace).values_list("user__email", flat=True)
    domains = {e.rpartition("@")[2].lower() for e in emails if "@" in e}
    return sorted(domains - PUBLIC_MAIL)


def _in_domains(domains: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for domain in domains:
        query |= Q(email__iendswith=f"@{domain}")
    return query


def _reachable(workspace: Workspace) -> QuerySet[XeroUser]:
    """People with access now, to organisations still connected (or kept) here."""
    return XeroUser.objects.filter(workspace=workspace, removed_at__isnull=True).exclude(
        tenant__status=Tenant.Status.DISCONNECTED
    )


def people(workspace: Workspace, *, q: str = "") -> QuerySet[Any]:
    """Each person (by e-mail) with how many organisations they reach, widest first."""
    rows = _reachable(workspace)
    if q:
        rows = rows.filter(
            Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    return (
        rows.values("email")
        .annotate(
            organisations=Count("tenant", distinct=True),
            advisers=Count("pk", filter=Q(role="FINANCIALADVISER")),
            subscribers=Count("pk", filter=Q(is_subscriber=True)),
            first_name=Max("first_name"),
            last_name=Max("last_name"),
        )
        .order_by("-organisations", "email")
    )


def person_access(workspace: Workspace, email: str) -> QuerySet[XeroUser]:
    """Every organisation a person reaches, with their role in each."""
    return (
        _reachable(workspace)
        .filter(email=email.strip().lower())
        .select_related("tenant", "tenant__client")
        .order_by("tenant__name", "tenant__pk")
    )


def outsiders(workspace: Workspace, domains: list[str]) -> QuerySet[XeroUser]:
    """People outside the practice's domains with adviser or standard access."""
    return (
        _reachable(workspace)
        .filter(role__in=WIDE_ROLES)
        .exclude(_in_domains(domains))
        .select_related("tenant", "tenant__client")
        .order_by("tenant__name", "email")
    )


def without_practice(workspace: Workspace, domains: list[str]) -> QuerySet[Tenant]:
    """Organisations whose users were read and where no one of the practice has access."""
    practice = XeroUser.objects.filter(tenant=OuterRef("pk"), removed_at__isnull=True).filter(
        _in_domains(domains)
    )
    return (
        Tenant.objects.filter(workspace=workspace, users_read__read_at__isnull=False)
        .exclude(status=Tenant.Status.DISCONNECTED)
        .exclude(Exists(practice))
        .select_related("client")
        .order_by("name", "pk")
    )


def changes(workspace: Workspace, *, since: datetime) -> QuerySet[XeroUserChange]:
    return XeroUserChange.objects.filter(workspace=workspace, seen_at__gte=since).select_related(
        "tenant"
    )


def reading(workspace: Workspace) -> dict[str, Any]:
    """How far reading the users has got: organisations read, not yet read, and failing."""
    return Tenant.objects.filter(workspace=workspace, status=Tenant.Status.CONNECTED).aggregate(
        connected=Count("pk"),
        read=Count("users_read__read_at"),
        failing=Count("pk", filter=Q(users_read__isnull=False) & ~Q(users_read__last_error="")),
        last_read=Max("users_read__read_at"),
    )
