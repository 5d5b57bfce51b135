"""Sign-up, verification, sign-in, password and two-factor flows through allauth."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tests.totp import totp_now
from xeroadmin.accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_signs_up_verifies_and_signs_in(client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "Ada@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="ada@example.com")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", str(mail.outbox[0].body))
    assert link
    path = link.group(0).split("testserver", 1)[-1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    # Verified and signed in: a new user is guided to create a workspace.
    assert "Create a workspace" in client.get(reverse("home")).content.decode()


def test_it_rejects_a_malformed_email_and_a_weak_password(client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "not an email", "password1": "password", "password2": "password"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in body
    assert not User.objects.exists()
    response = client.post(
        reverse("account_signup"),
        {"email": "ada@example.com", "password1": "password", "password2": "password"},
    )
    assert "too common" in response.content.decode()
    assert 'value="ada@example.com"' in response.content.decode()  # input kept


def test_it_refuses_sign_in_before_verification(client) -> None:
    User.objects.create_user("unverified@example.com", PASSWORD)
    response = client.post(
        reverse("account_login"), {"login": "unverified@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_it_says_when_the_password_is_wrong(client) -> None:
    make_user("ada@example.com")
    response = client.post(
        reverse("account_login"), {"login": "ada@example.com", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_it_themes_the_account_pages(client) -> None:
    body = client.get(reverse("account_login")).content.decode()
    assert 'class="auth-card"' in body
    assert "css/app.css" in body


def test_it_asks_for_a_totp_code_and_rejects_a_wrong_one(client) -> None:
    user = make_user("ada@example.com")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(
        reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_it_changes_the_password(client) -> None:
    user = make_user("ada@example.com")
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


def test_it_sends_a_password_reset_link(client) -> None:
    make_user("ada@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    assert response.status_code == 302
    assert "password/reset/key" in mail.outbox[0].body


@pytest.mark.parametrize("site", ["http://127.0.0.1:8000", "https://admin.example.com"])
def test_e_mailed_links_take_scheme_and_host_from_site_url(client, settings, site) -> None:
    settings.SITE_URL = site
    settings.ALLOWED_HOSTS = ["*"]
    # Posted on another host than SITE_URL's (a POST is never redirected).
    client.post(
        reverse("account_signup"),
        {"email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="localhost:8000",
    )
    body = str(mail.outbox[-1].body)
    assert f"{site}/accounts/confirm-email/" in body
    assert "localhost" not in body
    assert "Hello from xeroadmin!" in body
    client.post(
        reverse("account_reset_password"), {"email": "ada@example.com"}, HTTP_HOST="localhost:8000"
    )
    assert f"{site}/accounts/password/reset/key/" in str(mail.outbox[-1].body)


def test_a_signed_out_visitor_on_another_host_is_sent_to_site_urls(client, settings) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    answer = client.get("/accounts/login/?next=/w/1/", HTTP_HOST="localhost:8000")
    assert answer.status_code == 302
    assert answer["Location"] == "http://127.0.0.1:8000/accounts/login/?next=/w/1/"
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    # Machines may use any allowed host.
    assert client.get("/healthz", HTTP_HOST="localhost:8000").status_code in (200, 503)
    # Someone already signed in is left where they are.
    client.force_login(make_user("signed@example.com"))
    assert client.get("/", HTTP_HOST="localhost:8000").status_code != 302 or (
        "127.0.0.1" not in client.get("/", HTTP_HOST="localhost:8000")["Location"]
    )


def test_a_stranger_cannot_lock_an_owner_out(client) -> None:
    make_user("owner@example.com")
    wrong = {"login": "owner@example.com", "password": "not-the-password"}
    for _ in range(5):
        client.post(reverse("account_login"), wrong, REMOTE_ADDR="203.0.113.9")
    refused = client.post(reverse("account_login"), wrong, REMOTE_ADDR="203.0.113.9")
    assert b"Too many failed login attempts" in refused.content
    # The owner, from their own address, still signs in.
    right = {"login": "owner@example.com", "password": PASSWORD}
    signed_in = client.post(reverse("account_login"), right, REMOTE_ADDR="198.51.100.7")
    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session
