"""The admins' delivery log: endpoints with their URLs, deliveries with what became of their
events (only this workspace's), and "Send test delivery" judged as Xero's check would."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tests.conftest import Cast
from tests.webhooks.helpers import deliver, event, payload
from xeroadmin.connections.models import Tenant
from xeroadmin.webhooks import processing
from xeroadmin.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def test_only_admins_see_the_log(as_finance, as_admin, cast: Cast, xero) -> None:
    url = f"/w/{cast.workspace.pk}/webhooks/"
    assert as_finance.get(url).status_code == 403
    page = as_admin.get(url).content.decode()
    assert "http://localhost:8000/webhooks/xero/" in page
    assert "No deliveries yet" in page
    assert "Send test delivery" in page
    assert "Send “Intent to Receive”" in page


def test_a_shared_apps_delivery_shows_only_this_workspaces_events(
    as_admin, cast: Cast, xero
) -> None:
    mine = Tenant.objects.create(workspace=cast.workspace, tenant_id="t-mine", name="Mine Ltd")
    Tenant.objects.create(
        workspace=cast.outsider_workspace, tenant_id="t-theirs", name="Theirs Ltd"
    )
    now = timezone.now()
    deliver(HttpClient(), payload([event("t-mine", "r-1", now), event("t-theirs", "r-2", now)]))
    delivery = WebhookDelivery.objects.get()
    processing.delivery_process(delivery_id=delivery.pk)
    log = as_admin.get(f"/w/{cast.workspace.pk}/webhooks/").content.decode()
    assert f"/webhooks/{delivery.pk}/" in log
    detail = as_admin.get(f"/w/{cast.workspace.pk}/webhooks/{delivery.pk}/").content.decode()
    assert mine.name in detail
    assert "Theirs Ltd" not in detail
    assert "r-2" not in detail
    assert "is not connected here" in detail  # why nothing was fetched
    # The outsider's workspace does not see this workspace's events either.
    other = HttpClient()
    other.force_login(cast.outsider)
    theirs = other.get(f"/w/{cast.outsider_workspace.pk}/webhooks/{delivery.pk}/").content.decode()
    assert "Theirs Ltd" in theirs
    assert "Mine Ltd" not in theirs


@pytest.mark.django_db(transaction=True)
def test_send_test_delivery_passes_against_the_real_receiver(
    as_admin, cast: Cast, xero, settings, live_server
) -> None:
    settings.SITE_URL = live_server.url
    answer = as_admin.post(
        f"/w/{cast.workspace.pk}/webhooks/check/", {"app": ""}, headers={"HX-Request": "true"}
    )
    body = answer.content.decode()
    assert "Passed" in body
    assert "Correctly signed → 200" in body
    assert "Wrongly signed → 401" in body
    assert WebhookDelivery.objects.count() == 1  # the good one, kept like any other


def test_send_test_delivery_says_what_is_wrong(as_admin, cast: Cast, xero, settings) -> None:
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing listens there
    answer = as_admin.post(
        f"/w/{cast.workspace.pk}/webhooks/check/", {"app": ""}, headers={"HX-Request": "true"}
    )
    body = answer.content.decode()
    assert "Failed" in body
    assert "could not reach http://127.0.0.1:9/webhooks/xero/" in body
