"""What reaches the log: ordinary refusals in one line, and no token in any logged path."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import Cast, make_invitation
from xeroadmin.lib import logs


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The log as the console handler writes it (same filters, same format)."""
    config: Any = settings.LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(config["formatters"]["plain"]["format"]))
    names = config["handlers"]["console"]["filters"]
    for name in names:
        path = config["filters"][name]["()"]
        handler.addFilter(getattr(logs, path.rsplit(".", 1)[1])())
    for logger_name in ("django", "django.request", "django.server"):
        assert (
            "console" in config["loggers"].get(logger_name, {"handlers": ["console"]})["handlers"]
        )
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_403_is_one_line(as_viewer, cast: Cast, console) -> None:
    answer = as_viewer.post(f"/w/{cast.workspace.pk}/clients/new/", {"name": "X"})
    assert answer.status_code == 403
    text = console.getvalue()
    assert "Forbidden" in text
    assert "Traceback" not in text
    assert len(text.strip().splitlines()) == 1


@pytest.mark.django_db
def test_tokens_never_reach_the_log(client, cast: Cast, console) -> None:
    _, token = make_invitation(cast.workspace, "new@example.com")
    client.get(f"/invitations/{token}x/")  # a bad token is logged as Not Found
    client.get("/accounts/confirm-email/MzQ:1u2:secretkey/")
    client.get("/accounts/password/reset/key/3-set-password-secret/")
    text = console.getvalue()
    assert text
    assert token not in text
    assert "secretkey" not in text
    assert "password-secret" not in text
    assert "/invitations/…" in text


def test_the_mask_keeps_the_rest_of_the_line() -> None:
    line = 'GET /invitations/abc.DEF-123/accept/?x=1 HTTP/1.1" 200 and /webhooks/xero/tok/'
    assert (
        logs.mask_secrets(line)
        == 'GET /invitations/…/accept/?x=1 HTTP/1.1" 200 and /webhooks/xero/…/'
    )
