"""Rules and channels made, changed and removed; notifications read; a channel tested."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.alerts.changes import forget_wants
from xeroadmin.alerts.delivery import new_secret
from xeroadmin.alerts.forms import ChannelForm, RuleForm
from xeroadmin.alerts.models import Channel, Delivery, Notification, Rule
from xeroadmin.lib.tasks import enqueue_on_commit
from xeroadmin.tenancy.models import Membership


@transaction.atomic
def rule_save(*, form: RuleForm, actor: User) -> Rule:
    """Save a valid rule form (a new rule, or a change to one)."""
    rule: Rule = form.save(commit=False)
    if rule.pk is None:
        rule.workspace_id = form.membership.workspace_id
        rule.owner = None if form.workspace_rule else form.membership
        rule.created_by = actor
    rule.save()
    form.save_m2m()
    if form.workspace_rule:
        rule.channels.set(form.cleaned_data.get("channels") or [])
    forget_wants(rule.workspace_id)
    # Watched from now on: what already holds is raised at once, not at the next sweep.
    from xeroadmin.alerts.tasks import alerts_workspace

    enqueue_on_commit(alerts_workspace, rule.workspace_id)
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule) -> None:
    workspace_id = rule.workspace_id
    rule.delete()
    forget_wants(workspace_id)


@transaction.atomic
def channel_create(*, form: ChannelForm, membership: Membership, actor: User) -> Channel:
    channel: Channel = form.save(commit=False)
    channel.workspace_id = membership.workspace_id
    channel.created_by = actor
    channel.secret = new_secret() if channel.kind == Channel.Kind.WEBHOOK else ""
    channel.save()
    forget_wants(channel.workspace_id)
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    workspace_id = channel.workspace_id
    channel.delete()
    forget_wants(workspace_id)


def channel_test(*, channel: Channel, actor: User) -> Delivery:
    """Queue a test event to the channel (it shows in the delivery log)."""
    now = timezone.now()
    payload: dict[str, Any] = {
        "summary": f"A test from xeroadmin, sent by {actor.email}: this channel works.",
        "url": "",
        "test": True,
    }
    delivery = Delivery.objects.create(
        channel=channel,
        event_id=str(uuid.uuid4()),
        event="test",
        payload=payload,
        next_at=now,
        created_at=now,
    )
    from xeroadmin.alerts.tasks import deliveries_send

    enqueue_on_commit(deliveries_send)
    return delivery


def notifications_read(*, member: Membership, notification_id: int | None = None) -> int:
    """Mark one of the member's notifications read, or all of them."""
    unread = Notification.objects.filter(member=member, in_app=True, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
