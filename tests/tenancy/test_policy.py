"""A workspace that requires two-factor authentication, and invitations that prefill the
address and count as its confirmation."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import PASSWORD, Cast, make_invitation
from xeroadmin.accounts.models import User

pytestmark = pytest.mark.django_db


def settings_url(cast: Cast) -> str:
    return reverse("tenancy:workspace-settings", args=[cast.workspace.pk])


def policy(require: bool) -> dict[str, str]:
    return {"form": "policy", **({"require_mfa": "on"} if require else {}), "history_notes": "on"}


def test_an_admin_without_two_factor_cannot_require_it(as_admin: HttpClient, cast: Cast) -> None:
    answer = as_admin.post(settings_url(cast), policy(True))
    assert answer.status_code == 400
    assert "Set up two-factor authentication for yourself first" in answer.content.decode()
    cast.workspace.refresh_from_db()
    assert not cast.workspace.require_mfa


def test_required_two_factor_sends_members_without_it_to_set_it_up(
    as_admin: HttpClient, as_finance: HttpClient, cast: Cast
) -> None:
    TOTP.activate(cast.admin.user, generate_totp_secret())
    assert as_admin.post(settings_url(cast), policy(True)).status_code == 302
    cast.workspace.refresh_from_db()
    assert cast.workspace.require_mfa
    page = f"/w/{cast.workspace.pk}/clients/"
    answer = as_finance.get(page)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=%2Fw%2F" in answer["Location"]
    shown = as_finance.get(answer["Location"], follow=True).content.decode()
    assert "requires two-factor authentication" in shown
    htmx = as_finance.get(page, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("mfa_activate_totp")
    # Other workspaces' pages and the account pages stay open; with two-factor set up, so
    # does this workspace.
    assert as_finance.get(reverse("mfa_index")).status_code == 200
    TOTP.activate(cast.finance.user, generate_totp_secret())
    assert as_finance.get(page).status_code == 200
    assert as_admin.get(page).status_code == 200


def test_signing_in_lands_on_the_set_up_page(client: HttpClient, cast: Cast) -> None:
    cast.workspace.require_mfa = True
    cast.workspace.save()
    client.post(reverse("account_login"), {"login": cast.viewer.user.email, "password": PASSWORD})
    landed = client.get(reverse("home"), follow=True)
    chain = [url for url, _ in landed.redirect_chain]
    assert any(url.startswith(reverse("mfa_activate_totp")) for url in chain), chain
    assert "requires two-factor authentication" in landed.content.decode()


def test_an_invitation_prefills_the_address_and_confirms_it(client: HttpClient, cast: Cast) -> None:
    _, token = make_invitation(cast.workspace, "newcomer@example.com")
    invite = reverse("tenancy:invitation-accept", args=[token])
    page = client.get(invite).content.decode()
    assert "email=newcomer%40example.com" in page
    signup = client.get(reverse("account_signup"), {"email": "newcomer@example.com"})
    assert 'value="newcomer@example.com"' in signup.content.decode()
    answer = client.post(
        f"{reverse('account_signup')}?next={invite}",
        {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    # No confirmation e-mail to wait for: signed in and back at the invitation.
    assert answer.status_code == 302
    assert answer["Location"] == invite
    user = User.objects.get(email="newcomer@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert client.post(invite).status_code == 302
    assert user.memberships.filter(workspace=cast.workspace).exists()


def test_a_different_address_still_needs_confirming(client: HttpClient, cast: Cast) -> None:
    _, token = make_invitation(cast.workspace, "newcomer@example.com")
    client.get(reverse("tenancy:invitation-accept", args=[token]))
    answer = client.post(
        reverse("account_signup"),
        {"email": "someone-else@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert answer["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="someone-else@example.com")
    assert not EmailAddress.objects.get(user=user).verified  # and the invited one not added
