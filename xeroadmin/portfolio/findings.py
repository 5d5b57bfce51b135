"""The needs-attention queue: open findings the member may see, and what people do about one
(dismiss with a reason, snooze until a day, assign to a member), each written in the activity
feed."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.activity.services import activity_record
from xeroadmin.portfolio.models import KINDS, Finding
from xeroadmin.tenancy.access import visible_to
from xeroadmin.tenancy.models import Membership


def queue(membership: Membership) -> QuerySet[Finding]:
    """Open findings, and snoozed ones whose day has come, of the organisations the member
    may see."""
    today = timezone.localdate()
    due = Q(state=Finding.State.OPEN) | Q(state=Finding.State.SNOOZED, snoozed_until__lte=today)
    findings = Finding.objects.filter(due, workspace_id=membership.workspace_id)
    findings = visible_to(membership, findings, client="tenant__client")
    return findings.select_related("tenant__client", "assignee__user")


def kind_label(kind: str) -> str:
    return KINDS.get(kind, (kind, 0))[0]


def _record(finding: Finding, actor: User, action: str, summary: str) -> None:
    activity_record(
        workspace=finding.workspace_id,
        tenant=finding.tenant,
        category="finding",
        action=action,
        summary=summary,
        actor=actor,
        data={"finding": finding.pk, "kind": finding.kind},
    )


def dismiss(finding: Finding, *, actor: User, reason: str) -> Finding:
    finding.state, finding.reason = Finding.State.DISMISSED, reason.strip()
    finding.save(update_fields=["state", "reason", "changed_at"])
    _record(
        finding,
        actor,
        "dismissed",
        f"{kind_label(finding.kind)} dismissed by {actor.email}: {finding.summary}"
        + (f" (“{finding.reason}”)" if finding.reason else ""),
    )
    return finding


def snooze(finding: Finding, *, actor: User, until: date) -> Finding:
    finding.state, finding.snoozed_until = Finding.State.SNOOZED, until
    finding.save(update_fields=["state", "snoozed_until", "changed_at"])
    _record(
        finding,
        actor,
        "snoozed",
        f"{kind_label(finding.kind)} snoozed until {until.day} {until:%b %Y} by {actor.email}: "
        f"{finding.summary}",
    )
    return finding


def assign(finding: Finding, *, actor: User, member: Membership | None) -> Finding:
    finding.assignee = member
    finding.save(update_fields=["assignee", "changed_at"])
    who = member.user.email if member else "nobody"
    _record(
        finding,
        actor,
        "assigned",
        f"{kind_label(finding.kind)} assigned to {who} by {actor.email}: {finding.summary}",
    )
    return finding
