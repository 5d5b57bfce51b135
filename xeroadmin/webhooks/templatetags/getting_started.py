"""A new workspace's getting-started checklist. It lives in the top layer (webhooks) because it
asks every app below: are organisations connected and mapped, is the team invited, have
Xero's webhooks arrived?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.models import Invitation, Membership
from xeroadmin.webhooks.models import WebhookEvent

register = template.Library()


@dataclass
class Step:
    title: str
    why: str
    url: str
    action: str
    done: bool


@register.inclusion_tag("webhooks/partials/getting_started.html")
def getting_started(
    membership: Membership,
    members: int | None = None,
    unmapped: int | None = None,
    pending: int | None = None,
) -> dict[str, Any]:
    """The set-up steps, the next one first; nothing once every step is done. The page may
    pass what it counted already: its members, its organisations not yet mapped and its
    pending invitations. Only
    admins see the steps (so nothing is asked for the others)."""
    if not membership.can_admin:
        return {"show": False}
    ws = membership.workspace_id
    tenants = Tenant.objects.filter(workspace_id=ws).exclude(status=Tenant.Status.DISCONNECTED)
    connected = tenants.exists()
    if unmapped is None:
        unmapped = int(connected and tenants.filter(client__isnull=True).exists())
    if members is None:
        members = Membership.objects.filter(workspace_id=ws).count()
    steps = [
        Step(
            "Connect your Xero organisations",
            "Sign in to Xero once and pick the organisations you look after.",
            reverse("connections:tenant-list", args=[ws]),
            "Connect Xero",
            connected,
        ),
        Step(
            "Map each organisation to a client",
            "So technicians limited to their clients see only theirs.",
            reverse("connections:tenant-list", args=[ws]),
            "Map organisations",
            connected and not unmapped,
        ),
        Step(
            "Invite your team",
            "Finance staff edit the books; viewers read them.",
            reverse("tenancy:member-list", args=[ws]),
            "Invite someone",
            members > 1
            or bool(pending)
            or (pending is None and Invitation.objects.filter(workspace_id=ws).exists()),
        ),
        Step(
            "Receive Xero's webhooks",
            "Changes made in Xero then reach the activity feed within seconds.",
            reverse("webhooks:delivery-list", args=[ws]),
            "Set up webhooks",
            WebhookEvent.objects.filter(workspace_id=ws).exists(),
        ),
    ]
    ordered = sorted(steps, key=lambda step: step.done)  # stable: the next step first
    return {
        "steps": ordered,
        "next": next((s for s in ordered if not s.done), None),
        "left": sum(not s.done for s in steps),
        "show": any(not s.done for s in steps),
    }
