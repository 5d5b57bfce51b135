from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_reports_database_and_broker(client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "Set-Cookie" not in response.headers


def test_it_answers_503_when_the_broker_is_down(client, settings) -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_it_refuses_other_methods(client) -> None:
    assert client.post(reverse("healthz")).status_code == 405


def test_pages_carry_a_content_security_policy(client, settings) -> None:
    settings.XERO_LOGIN_URL = "https://login.example.test"
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self' https://login.example.test",
    ):
        assert directive in policy
    assert "unsafe" not in policy
    assert "camera=()" in response["Permissions-Policy"]
