"""The alerts pages: subscriptions for anyone, workspace rules and channels for admins, the
secret shown once, a test delivery, and the bell with its notification centre."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.alerts import engine
from xeroadmin.alerts.models import Channel, Delivery, Notification, Rule
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def url(cast: Cast, name: str, *args: int) -> str:
    return reverse(f"alerts:{name}", args=[cast.workspace.pk, *args])


def test_anyone_subscribes_admins_make_workspace_rules(
    as_viewer: HttpClient, as_admin: HttpClient, cast: Cast
) -> None:
    page = as_viewer.get(url(cast, "rule-list")).content.decode()
    assert "New subscription" in page
    assert "New workspace rule" not in page
    response = as_viewer.post(
        url(cast, "rule-new"), {"condition": "overdue", "amount": "500", "in_app": "on"}
    )
    assert response.status_code == 302
    mine = Rule.objects.get()
    assert mine.owner == cast.viewer
    assert (mine.days, mine.amount) == (30, 500)  # the days default
    assert mine.describe() == "An invoice overdue by more than 30 days, owing at least 500.00"
    assert (
        as_viewer.post(
            url(cast, "rule-new"), {"for": "workspace", "condition": "sync_stalled", "in_app": "on"}
        ).status_code
        == 403
    )
    response = as_admin.post(
        url(cast, "rule-new"), {"for": "workspace", "condition": "sync_stalled", "in_app": "on"}
    )
    assert response.status_code == 302
    workspace_rule = Rule.objects.get(owner__isnull=True)
    # A viewer may look at the workspace's rule but not change or delete it.
    assert as_viewer.get(url(cast, "rule-edit", workspace_rule.pk)).status_code == 200
    assert (
        as_viewer.post(url(cast, "rule-edit", workspace_rule.pk), {"delete": "1"}).status_code
        == 403
    )
    assert as_viewer.post(url(cast, "rule-edit", mine.pk), {"delete": "1"}).status_code == 302
    assert not Rule.objects.filter(pk=mine.pk).exists()


def test_a_rule_must_go_somewhere(as_finance: HttpClient, cast: Cast) -> None:
    response = as_finance.post(url(cast, "rule-new"), {"condition": "bill_awaiting"})
    assert response.status_code == 400
    assert "Choose where it goes" in response.content.decode()
    response = as_finance.post(url(cast, "rule-new"), {"condition": "nonsense", "in_app": "on"})
    assert response.status_code == 400
    assert not Rule.objects.exists()


def test_a_webhook_channels_secret_is_shown_once(
    as_admin: HttpClient, as_finance: HttpClient, cast: Cast, settings
) -> None:
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    assert as_finance.get(url(cast, "channel-new")).status_code == 403
    response = as_admin.post(
        url(cast, "channel-new"),
        {"kind": "webhook", "name": "CRM", "url": "http://127.0.0.1:9/hook", "record_events": "on"},
    )
    assert response.status_code == 201
    channel = Channel.objects.get()
    assert channel.secret.startswith("whsec_")
    assert channel.secret in response.content.decode()
    detail = as_admin.get(url(cast, "channel-detail", channel.pk)).content.decode()
    assert channel.secret not in detail
    assert "http://127.0.0.1:9/hook" not in detail  # the URL is a secret too
    assert (
        as_admin.post(url(cast, "channel-detail", channel.pk), {"action": "test"}).status_code
        == 302
    )
    assert Delivery.objects.get().event == "test"
    partial = as_admin.get(url(cast, "channel-detail", channel.pk), headers={"HX-Request": "true"})
    assert partial.content.decode().strip().startswith('<section class="card" id="delivery-log">')
    assert (
        as_admin.post(url(cast, "channel-detail", channel.pk), {"action": "delete"}).status_code
        == 302
    )
    assert not Channel.objects.exists()


def test_the_bell_counts_and_the_centre_marks_read(
    as_finance: HttpClient, cast: Cast, books: Tenant
) -> None:
    Rule.objects.create(workspace=cast.workspace, condition="needs_reconnect")
    Rule.objects.create(workspace=cast.workspace, condition="sync_stalled")
    Tenant.objects.filter(pk=books.pk).update(
        status=Tenant.Status.NEEDS_RECONNECT, last_synced_at=None
    )
    books.refresh_from_db()
    engine.tenant_evaluate(books)
    page = as_finance.get(reverse("tenancy:workspace-detail", args=[cast.workspace.pk]))
    assert 'aria-label="Notifications, 1 unread"' in page.content.decode()
    centre = as_finance.get(url(cast, "notification-list")).content.decode()
    assert f"{books.name} needs reconnecting to Xero" in centre
    first = Notification.objects.get(member=cast.finance)
    assert (
        as_finance.post(url(cast, "notification-read"), {"notification": first.pk}).status_code
        == 302
    )
    assert Notification.objects.get(pk=first.pk).read_at is not None
    page = as_finance.get(reverse("tenancy:workspace-detail", args=[cast.workspace.pk]))
    assert 'aria-label="Notifications"' in page.content.decode()
    assert as_finance.get(url(cast, "notification-list"), {"show": "unread"}).status_code == 200
    assert as_finance.post(url(cast, "notification-read")).status_code == 302
    assert as_finance.get(url(cast, "notification-read")).status_code == 405


def test_the_bell_looks_again_by_itself(
    client: HttpClient,
    as_finance: HttpClient,
    as_outsider: HttpClient,
    cast: Cast,
    books: Tenant,
    settings,
) -> None:
    bell = url(cast, "bell")
    answer = as_finance.get(bell, headers={"HX-Request": "true"})
    assert answer.content.decode().strip().startswith('<a class="bell"')
    assert 'aria-label="Notifications"' in answer.content.decode()
    Rule.objects.create(workspace=cast.workspace, condition="needs_reconnect")
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    books.refresh_from_db()
    engine.tenant_evaluate(books)
    answer = as_finance.get(bell, headers={"HX-Request": "true"})
    assert 'aria-label="Notifications, 1 unread"' in answer.content.decode()
    settings.SITE_URL = "http://testserver"  # (the sandbox's fixture moved it)
    assert client.get(bell).status_code == 204  # signed out: the page keeps its bell
    assert as_outsider.get(bell).status_code == 404
    assert as_finance.post(bell).status_code == 405
