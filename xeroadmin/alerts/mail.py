"""Alerts by e-mail: at once, or gathered into a daily or weekly digest per person.

A digest is worked out when it is sent, for what its reader may see then: an alert about a
client they have since lost access to is left out (and marked, so it is not sent later).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from xeroadmin.alerts.models import Alert, DigestMark, Notification, Rule
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.access import visible_clients, visible_to
from xeroadmin.tenancy.models import Membership

EVERY: dict[str, timedelta] = {
    Rule.Email.DAILY.value: timedelta(days=1),
    Rule.Email.WEEKLY.value: timedelta(days=7),
}


def may_see(member: Membership, alert: Alert) -> bool:
    """Whether the member may see what the alert is about, now."""
    if alert.tenant_id is not None:
        return visible_to(member, Tenant.objects.filter(pk=alert.tenant_id)).exists()
    if alert.client_id is not None:
        return visible_clients(member).filter(pk=alert.client_id).exists()
    return member.can_admin


def alert_email_now(alert_id: int) -> int:
    """E-mail an alert to those who asked for it at once; returns how many were sent."""
    sent = 0
    waiting = Notification.objects.filter(
        alert_id=alert_id, email=Rule.Email.IMMEDIATE, emailed_at__isnull=True
    ).select_related("alert__tenant", "alert__client", "member__user", "member__workspace")
    for notification in waiting:
        with transaction.atomic():
            # Taken first, so a retried task never sends it twice.
            if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            ):
                continue
            alert, member = notification.alert, notification.member
            if not may_see(member, alert):
                continue
            send_mail(
                subject=f"[xeroadmin] {alert.summary}"[:200],
                message=render_to_string(
                    "alerts/email/alert.txt", {"alert": alert, "site": settings.SITE_URL}
                ),
                from_email=None,
                recipient_list=[member.user.email],
            )
            sent += 1
    return sent


@dataclass
class Place:
    name: str
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (summary, url)


@dataclass
class Digest:
    member: Membership
    every: str
    since: datetime | None
    places: list[Place]
    count: int


def digest_for(member: Membership, every: str, *, now: datetime) -> tuple[Digest, list[int]]:
    """The member's digest of this kind (daily, weekly) as it would be sent now, and every
    notification it settles (those shown, and those left out as no longer theirs to see).

    Performance: plain rows, not models, and text built without the template engine (a
    reader of 200 organisations gets hundreds of lines; `make bench BENCH=digest`).
    """
    rows = (
        Notification.objects.filter(member=member, email=every, emailed_at__isnull=True)
        .order_by("alert__created_at", "pk")
        .values_list(
            "pk",
            "alert__summary",
            "alert__url",
            "alert__tenant_id",
            "alert__tenant__name",
            "alert__tenant__client__name",
            "alert__client_id",
            "alert__client__name",
        )
    )
    visible_tenants = set(
        visible_to(member, Tenant.objects.filter(workspace_id=member.workspace_id)).values_list(
            "pk", flat=True
        )
    )
    visible = set(visible_clients(member).values_list("pk", flat=True))
    groups: dict[str, Place] = {}
    settled: list[int] = []
    shown = 0
    for pk, summary, url, tenant_id, tenant, tenant_client, client_id, client in rows:
        settled.append(pk)
        if tenant_id is not None:
            if tenant_id not in visible_tenants:
                continue
            name = f"{tenant_client or 'Not mapped to a client'} · {tenant}"
        elif client_id is not None:
            if client_id not in visible:
                continue
            name = client
        else:
            name = "The workspace"
        place = groups.get(name)
        if place is None:
            place = groups[name] = Place(name)
        place.alerts.append((summary, url))
        shown += 1
    mark = DigestMark.objects.filter(member=member).first()
    since = getattr(mark, f"{every}_at", None) if mark else None
    places = [groups[name] for name in sorted(groups)]
    return Digest(member, every, since, places, shown), settled


def render_digest(digest: Digest) -> tuple[str, str]:
    """(subject, text) of a digest e-mail."""
    noun = "alert" if digest.count == 1 else "alerts"
    subject = f"[xeroadmin] Your {digest.every} digest: {digest.count} {noun}"
    site = settings.SITE_URL
    since = f" since {digest.since:%d %b %Y, %H:%M} UTC" if digest.since else ""
    lines = [
        f"Your {digest.every} digest for {digest.member.workspace.name}: "
        f"{digest.count} {noun}{since}.",
    ]
    for place in digest.places:
        lines += ["", place.name]
        for summary, url in place.alerts:
            lines.append(f"- {summary}")
            if url:
                lines.append(f"  {site}{url}")
    rules = reverse("alerts:rule-list", args=[digest.member.workspace_id])
    lines += ["", f"Change what you receive: {site}{rules}", ""]
    return subject, "\n".join(lines)


def digests_send(*, now: datetime | None = None) -> int:
    """Send every digest that is due (a day, or a week, after the member's last); returns how
    many were sent."""
    now = now or timezone.now()
    sent = 0
    due: dict[tuple[int, str], None] = {}
    for member_id, every in (
        Notification.objects.filter(email__in=EVERY, emailed_at__isnull=True)
        .values_list("member_id", "email")
        .distinct()
    ):
        due[(member_id, every)] = None
    members = Membership.objects.select_related("user", "workspace").in_bulk([m for m, _ in due])
    marks = {m.member_id: m for m in DigestMark.objects.filter(member_id__in=[m for m, _ in due])}
    for member_id, every in due:
        member = members.get(member_id)
        if member is None:
            continue
        mark = marks.get(member_id) or DigestMark(member_id=member_id)
        last = getattr(mark, f"{every}_at")
        if last is not None and last > now - EVERY[every] + timedelta(minutes=5):
            continue
        digest, settled = digest_for(member, every, now=now)
        with transaction.atomic():
            taken = Notification.objects.filter(pk__in=settled, emailed_at__isnull=True).update(
                emailed_at=now
            )
            setattr(mark, f"{every}_at", now)
            mark.save()
            if not taken or not digest.count:
                continue
            subject, text = render_digest(digest)
            send_mail(
                subject=subject, message=text, from_email=None, recipient_list=[member.user.email]
            )
            sent += 1
    return sent
