"""Sign in with Xero and Sign up with Xero, through allauth, against the sandbox over HTTP: the
id_token checked against the sandbox's published keys, existing accounts reached only by a
verified address, and one consent that makes the account, its workspace and its connection."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.conftest import make_user
from tests.connections.helpers import consent, organisations
from tests.totp import totp_now
from xeroadmin.accounts.models import User
from xeroadmin.connections.models import Grant, Tenant
from xeroadmin.tenancy import services as tenancy
from xeroadmin.tenancy.models import Membership

pytestmark = pytest.mark.django_db

SIGNIN = "/accounts/oidc/xero/login/?process=login"


@pytest.fixture
def client(client, xero):
    """A browser on SITE_URL's host (the sandbox sends it back there)."""
    client.defaults["HTTP_HOST"] = "localhost:8000"
    return client


def _xero_user(xero, email: str, **fault: str) -> None:
    answer = requests.post(
        f"{xero.url}/_sandbox/identity", json={"email": email, **fault}, timeout=10
    )
    assert answer.status_code == 200, answer.text


def _back(client, start, *, tenants: list[str] | None = None):
    """Through Xero's consent page and back to us, as the browser would go."""
    assert start.status_code == 302, start.content[:300]
    returned = urlsplit(consent(start["Location"], tenants=tenants))
    return client.get(f"{returned.path}?{returned.query}")


def test_the_sign_in_page_offers_xero_only_when_the_deployment_has_an_app(
    client, xero, settings
) -> None:
    page = client.get(reverse("account_login"))
    assert b"Sign in with Xero" in page.content
    assert b"Sign up with Xero" in page.content
    assert b"Sign up with Xero" in client.get(reverse("account_signup")).content
    settings.XERO_CLIENT_ID = ""
    assert b"Sign in with Xero" not in client.get(reverse("account_login")).content
    assert client.post(SIGNIN).status_code == 404


def test_a_new_xero_user_signs_in_and_has_an_account(client, xero) -> None:
    refused = requests.post(f"{xero.url}/_sandbox/identity", json={"email": "nope"}, timeout=10)
    assert refused.status_code == 400
    _xero_user(xero, "new.person@harbour.example.com")
    done = _back(client, client.post(SIGNIN))
    assert done.status_code == 302
    user = User.objects.get(email="new.person@harbour.example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("home")).wsgi_request.user == user
    # Signing in connects nothing.
    assert not Grant.objects.exists()


def test_an_existing_account_is_reached_only_by_a_verified_address(client, xero) -> None:
    owner = make_user("ada@example.com")  # verified
    _xero_user(xero, "ada@example.com")
    _back(client, client.post(SIGNIN))
    assert client.get(reverse("home")).wsgi_request.user == owner
    client.logout()
    # Someone signed up with this address and never confirmed it: Xero's sign-in for the
    # same address does not take that account over.
    stranger = User.objects.create_user("bob@example.com", "a-long-password-1")
    EmailAddress.objects.create(user=stranger, email=stranger.email, verified=False, primary=True)
    _xero_user(xero, "bob@example.com")
    answer = _back(client, client.post(SIGNIN))
    assert client.get(reverse("home")).wsgi_request.user != stranger
    assert answer.status_code in (200, 302)
    stranger.refresh_from_db()
    assert stranger.has_usable_password()


@pytest.mark.parametrize("fault", ["signature", "issuer", "audience", "expired"])
def test_a_tampered_id_token_is_refused(client, xero, fault: str) -> None:
    _xero_user(xero, "mallory@example.com", idTokenFault=fault)
    answer = _back(client, client.post(SIGNIN))
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="mallory@example.com").exists()
    assert answer.status_code == 401
    assert b"Xero&#x27;s sign-in could not be verified" in answer.content
    assert b"Traceback" not in answer.content


def test_the_workspace_two_factor_policy_still_applies(client, xero) -> None:
    owner = make_user("ada@example.com")
    workspace = tenancy.workspace_create(user=owner, name="Harbour IT")
    tenancy.workspace_policy(workspace=workspace, require_mfa=True, history_notes=False)
    Authenticator.objects.filter(user=owner).delete()
    _xero_user(xero, "ada@example.com")
    _back(client, client.post(SIGNIN))
    page = client.get(reverse("tenancy:workspace-detail", args=[workspace.pk]))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_member_with_two_factor_gives_the_code_after_xero(client, xero) -> None:
    owner = make_user("ada@example.com")
    secret = generate_totp_secret()
    TOTP.activate(owner, secret)
    _xero_user(xero, "ada@example.com")
    answer = _back(client, client.post(SIGNIN))
    assert answer["Location"] == reverse("mfa_authenticate")
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
    client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert client.get(reverse("home")).wsgi_request.user == owner


def test_sign_up_with_xero_makes_the_account_workspace_and_connection(client, xero) -> None:
    _xero_user(xero, "founder@kingsway.example.com")
    orgs = organisations(xero.url)
    start = client.post(reverse("connections:xero-signup"))
    assert "accounting.invoices" in start["Location"]
    signed_in = _back(client, start, tenants=[orgs[2]["tenantId"]])
    assert signed_in.status_code == 302
    landed = client.get(signed_in["Location"])
    assert landed.status_code == 302
    user = User.objects.get(email="founder@kingsway.example.com")
    membership = Membership.objects.get(user=user)
    tenant = Tenant.objects.get(workspace=membership.workspace)
    assert tenant.tenant_id == orgs[2]["tenantId"]
    assert membership.workspace.name == tenant.name
    assert landed["Location"] == (
        reverse("connections:tenant-list", args=[membership.workspace_id])
        + f"?connected={tenant.pk}"
    )
    grant = Grant.objects.get(workspace=membership.workspace)
    assert grant.refresh_token  # offline access, kept (encrypted) by the grant only
    assert grant.xero_user_email == "founder@kingsway.example.com"
    page = client.get(landed["Location"])
    assert f"{tenant.name} is connected".encode() in page.content
    # The consent's tokens were used once: the welcome page again connects nothing more.
    again = client.get(reverse("connections:xero-welcome"))
    assert again.status_code == 302
    assert "could not be used" in " ".join(str(m) for m in get_messages(again.wsgi_request))
    assert Grant.objects.count() == 1
