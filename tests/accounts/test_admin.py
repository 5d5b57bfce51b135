"""Django's admin: off unless asked for; then only through allauth's sign-in, with two factors."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import clear_url_caches

from tests.conftest import PASSWORD, make_user
from xeroadmin import urls

pytestmark = pytest.mark.django_db


def reload_urls() -> None:
    importlib.reload(urls)
    clear_url_caches()


@pytest.fixture
def admin_on(settings) -> Iterator[None]:
    settings.ADMIN_ENABLED = True
    reload_urls()
    yield
    settings.ADMIN_ENABLED = False
    reload_urls()


def test_the_admin_is_off_by_default(client) -> None:
    assert client.get("/admin/").status_code == 404
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 404


def test_a_password_alone_never_opens_the_admin(client, admin_on) -> None:
    staff = make_user("staff@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    answer = client.get("/admin/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")
    login = client.get(answer["Location"])
    assert login["Location"].startswith("/accounts/login/")
    # The admin's own password form is not served: it sends to allauth's sign-in.
    posted = client.post("/admin/login/", {"username": "staff@example.com", "password": PASSWORD})
    assert posted["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302
    # Signed in with a password, but no second factor set up: still not in.
    client.post("/accounts/login/", {"login": "staff@example.com", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    TOTP.activate(staff, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


def test_members_who_are_not_staff_are_refused(client, admin_on) -> None:
    client.force_login(make_user("member@example.com"))
    login = client.get("/admin/login/")
    assert login.status_code == 403
