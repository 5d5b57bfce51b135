"""Sign in with Xero, and Sign up with Xero, through allauth's OpenID Connect provider.

Xero is allauth's `openid_connect` app `xero`, made from the deployment's own Xero app (see
`SocialAdapter.list_apps`) and discovered from XERO_IDENTITY_URL. Two things differ from allauth's own provider:

- The id_token is always verified against the keys Xero publishes (its JWKS), even though it
  came straight from Xero's token endpoint, where allauth would skip the signature.
- An existing account is signed in by its e-mail address only when that address is verified
  here; otherwise the person is asked to sign in with their password and connect Xero.

"Sign up with Xero" is one consent: the Xero user's identity and the organisation they choose
on Xero's consent page. The tokens of that consent never touch the database unencrypted: they
are kept, encrypted, in the session until the welcome view makes the workspace and connects
the organisation with them.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from xeroadmin.lib.crypto import decrypt, encrypt
from xeroadmin.xero import oauth
from xeroadmin.xero.errors import XeroIdentityRefused

logger = logging.getLogger(__name__)
PROVIDER_ID = "xero"
SIGNUP_TOKENS = "xero_signup_tokens"
SIGNUP_TTL = timedelta(minutes=15)


class XeroOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def get_callback_url(self, request: HttpRequest, app: Any) -> str:
        # On SITE_URL, as the Connect callback is: the address registered with Xero.
        path = reverse("xero_signin_callback", kwargs={"provider_id": self.provider_id})
        return str(settings.SITE_URL) + path

    def _decode_id_token(self, app: Any, id_token: str) -> dict[str, Any]:
        try:
            return oauth.verify_id_token(id_token, client_id=app.client_id)
        except XeroIdentityRefused as refused:
            raise OAuth2Error(refused.message) from refused


class XeroProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider, with the adapter above."""

    oauth2_adapter_class = XeroOAuth2Adapter
    package = "allauth.socialaccount.providers.openid_connect"  # its URLs (ours come first)


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _view(OAuth2LoginView, request, provider_id)


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _view(OAuth2CallbackView, request, provider_id)


def _view(kind: Any, request: HttpRequest, provider_id: str) -> HttpResponse:
    if provider_id != PROVIDER_ID or not (settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET):
        raise Http404("No such sign-in.")
    view = kind.adapter_view(XeroOAuth2Adapter(request, provider_id))
    response: HttpResponse = view(request)
    return response


def signup_redirect(request: HttpRequest, scopes: list[str], next_url: str) -> HttpResponse:
    """Send the browser to Xero for "Sign up with Xero": who they are, and the organisation
    they choose, in one consent; back at `next_url` once signed in here."""
    provider = get_social_adapter(request).get_provider(request, PROVIDER_ID)
    response: HttpResponse = provider.redirect(
        request, "login", next_url=next_url, data={"signup": True}, scope=scopes
    )
    return response


class SocialAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """Only Xero, from the deployment's own Xero app as settings have it now (none in the
        database: its secret lives in the environment)."""
        if not (settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET):
            return []
        if provider not in (None, "openid_connect", PROVIDER_ID):
            return []
        if client_id not in (None, settings.XERO_CLIENT_ID):
            return []
        return [
            SocialApp(
                provider="openid_connect",
                provider_id=PROVIDER_ID,
                name="Xero",
                client_id=settings.XERO_CLIENT_ID,
                secret=settings.XERO_CLIENT_SECRET,
                settings={
                    "server_url": settings.XERO_IDENTITY_URL,
                    # Xero's id_token carries the e-mail address and names: no userinfo.
                    "fetch_userinfo": False,
                    "token_auth_method": "client_secret_basic",
                    # A Xero login is activated from its e-mail address.
                    "verified_email": True,
                },
            )
        ]

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        """An existing account is signed in by its e-mail address only if that address is
        verified here (an address anyone could have typed at sign-up proves nothing)."""
        found = super().authenticate_by_email(sociallogin)
        if found is None:
            return None
        user, email = found
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            return None
        return found

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        super().pre_social_login(request, sociallogin)
        token = sociallogin.token
        if (sociallogin.state.get("data") or {}).get("signup") and token is not None:
            claims = (sociallogin.account.extra_data or {}).get("id_token") or {}
            keep_signup_tokens(
                request,
                token.token,
                token.token_secret,
                token.expires_at,
                email=str(claims.get("email") or ""),
            )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """Say why, where it is ours to say (an id_token that did not check out)."""
        super().on_authentication_error(request, provider, error, exception, extra_context)
        logger.info("Sign in with Xero failed: %s (%s)", error, type(exception).__name__)
        cause = getattr(exception, "__cause__", None)
        if extra_context is not None and isinstance(cause, XeroIdentityRefused):
            extra_context["reason"] = cause.message

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True


def keep_signup_tokens(
    request: HttpRequest, access: str, refresh: str, expires_at: datetime | None, *, email: str
) -> None:
    stamp = timezone.now()
    material = {
        "email": email,
        "access": access,
        "refresh": refresh,
        "expires_at": (expires_at or stamp + timedelta(minutes=30)).isoformat(),
        "kept_at": stamp.isoformat(),
    }
    request.session[SIGNUP_TOKENS] = encrypt(json.dumps(material))


def take_signup_tokens(request: HttpRequest) -> oauth.TokenSet | None:
    """The tokens of a "Sign up with Xero" consent, once (they are gone from the session after
    this), or None if there are none or they are too old."""
    kept = request.session.pop(SIGNUP_TOKENS, None)
    if not kept:
        return None
    try:
        material = json.loads(decrypt(kept))
        kept_at = datetime.fromisoformat(material["kept_at"])
    except (ValueError, KeyError, TypeError):
        return None
    if timezone.now() - kept_at > SIGNUP_TTL:
        return None
    tokens = oauth.TokenSet(
        access_token=material["access"],
        refresh_token=material["refresh"],
        expires_at=datetime.fromisoformat(material["expires_at"]),
        scopes=[],
        verified_identity={"email": material.get("email", "")},
    )
    tokens.scopes = list(tokens.claims.get("scope") or [])
    return tokens
