"""The receiver: signature checked on the raw bytes, 200 or 401 with no body and no cookie,
a good delivery stored before the answer, a bad one only counted."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import requests
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import Cast
from tests.connections.helpers import control
from tests.webhooks.helpers import KEY, deliver, event, payload
from xeroadmin.connections.models import XeroApp
from xeroadmin.webhooks import processing
from xeroadmin.webhooks.models import WebhookCounter, WebhookDelivery
from xeroadmin.webhooks.receiving import sign

pytestmark = pytest.mark.django_db


def assert_bare(answer, status: int) -> None:
    assert answer.status_code == status
    assert answer.content == b""
    assert "Set-Cookie" not in answer.headers
    assert not answer.cookies


def test_a_good_delivery_is_stored_and_answered_200_empty(xero) -> None:
    body = payload([event("t-1", "r-1", datetime(2026, 11, 1))])
    answer = deliver(HttpClient(), body)
    assert_bare(answer, 200)
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body  # the raw bytes, exactly as signed
    assert delivery.app is None
    assert delivery.status == WebhookDelivery.Status.RECEIVED


def test_a_bad_signature_is_401_empty_and_only_counted(xero) -> None:
    body = payload([])
    for signature in (sign(body, "not-the-key"), "", "%%%", "é" * 5):
        answer = HttpClient().post(
            "/webhooks/xero/",
            data=body,
            content_type="application/json",
            headers={"x-xero-signature": signature} if signature else {},
        )
        assert_bare(answer, 401)
    assert not WebhookDelivery.objects.exists()
    assert WebhookCounter.objects.get(scope="default").rejected == 4


def test_a_body_changed_after_signing_is_refused(xero) -> None:
    body = payload([])
    signature = sign(body, KEY)
    answer = HttpClient().post(
        "/webhooks/xero/",
        data=body + b" ",
        content_type="application/json",
        headers={"x-xero-signature": signature},
    )
    assert_bare(answer, 401)


def test_other_methods_and_missing_keys(xero, settings) -> None:
    assert_bare(HttpClient().get("/webhooks/xero/"), 405)
    settings.XERO_WEBHOOK_KEY = ""
    assert_bare(deliver(HttpClient(), payload([])), 404)
    assert_bare(deliver(HttpClient(), payload([]), url="/webhooks/xero/no-such-app/"), 404)


def test_a_workspace_app_receives_with_its_own_key_only(xero, cast: Cast) -> None:
    app = XeroApp.objects.create(
        workspace=cast.workspace,
        name="Own app",
        client_id="own-client",
        client_secret="own-secret",
        webhook_key="own-webhook-key",
    )
    url = f"/webhooks/xero/{app.webhook_token}/"
    assert_bare(deliver(HttpClient(), payload([]), url=url, key=KEY), 401)
    assert_bare(deliver(HttpClient(), payload([]), url=url, key="own-webhook-key"), 200)
    assert WebhookDelivery.objects.get().app == app
    assert WebhookCounter.objects.get(scope=f"app:{app.pk}").rejected == 1
    # The default URL does not take the app's key either.
    assert_bare(deliver(HttpClient(), payload([]), key="own-webhook-key"), 401)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=2048),
    signature=st.one_of(st.none(), st.text(max_size=80), st.just("good")),
    content_type=st.sampled_from(["application/json", "text/plain", "", "multipart/form-data"]),
)
def test_fuzzed_bodies_and_headers_never_cause_a_5xx(xero, body, signature, content_type) -> None:
    headers = {}
    if signature == "good":
        headers["x-xero-signature"] = sign(body, KEY)
    elif signature is not None:
        # Header values travel as latin-1; anything else cannot be sent at all.
        headers["x-xero-signature"] = signature.encode("utf-8").decode("latin-1")
    answer = HttpClient().post(
        "/webhooks/xero/", data=body, content_type=content_type, headers=headers
    )
    assert answer.status_code in (200, 401)
    assert answer.content == b""


@pytest.mark.django_db(transaction=True)
def test_it_passes_xeros_intent_to_receive(xero, live_server) -> None:
    """The sandbox runs Xero's check against the real server: good 200, bad 401, both bare."""
    url = live_server.url + "/webhooks/xero/"
    requests.put(f"{xero.url}/_sandbox/webhooks", json={"url": url}, timeout=5).raise_for_status()
    verdict = control(xero.url, "webhooks/intent-to-receive", {})
    assert verdict["passed"], verdict
    assert sorted(r["status"] for r in verdict["results"]) == [200, 200, 200, 401, 401, 401]
    assert WebhookDelivery.objects.count() == 3  # the correctly signed ones, kept


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "resourceId": st.text(max_size=40) | json_values,
        "eventCategory": st.sampled_from(["INVOICE", "CONTACT", "CREDITNOTE", "SUBSCRIPTION", "X"])
        | json_values,
        "eventType": st.sampled_from(["CREATE", "UPDATE", "Update"]) | json_values,
        "tenantId": st.text(max_size=40) | json_values,
        "eventDateUtc": st.sampled_from(["2026-11-01T01:02:03.456", "nonsense", ""]) | json_values,
        "tenantType": st.sampled_from(["ORGANISATION", "APPLICATION"]) | json_values,
        "data": json_values,
    },
)


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(json_values, st.fixed_dictionaries({"events": st.lists(event_like, max_size=5)}))
)
def test_fuzzed_signed_payloads_are_processed_or_refused_never_raised(xero, body) -> None:
    raw = json.dumps(body).encode()
    assert deliver(HttpClient(), raw).status_code == 200
    delivery = WebhookDelivery.objects.latest("pk")
    done = processing.delivery_process(delivery_id=delivery.pk)
    assert done is not None
    assert done.status in (WebhookDelivery.Status.DONE, WebhookDelivery.Status.INVALID)


def test_a_large_signed_delivery_is_taken_and_a_huge_one_refused(xero) -> None:
    from xeroadmin.webhooks.views import MAX_DELIVERY

    events = [event("t-1", f"r-{n}", datetime(2026, 11, 1)) for n in range(12_000)]
    body = payload(events)
    assert len(body) > 2_600_000  # past Django's 2.5 MB for forms
    assert_bare(deliver(HttpClient(), body), 200)
    assert bytes(WebhookDelivery.objects.get().body) == body
    huge = b" " * (MAX_DELIVERY + 1)
    answer = HttpClient().post(
        "/webhooks/xero/",
        data=huge,
        content_type="application/json",
        headers={"x-xero-signature": sign(huge, KEY)},
    )
    assert_bare(answer, 413)
    assert WebhookDelivery.objects.count() == 1
