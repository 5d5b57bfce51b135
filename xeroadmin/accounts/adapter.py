"""allauth glue: where people land after signing in, and e-mails that speak from SITE_URL."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def site_url(url: str) -> str:
    """`url` on SITE_URL's scheme and host: the address people reach us at, whatever host or
    scheme the request that sent the e-mail came in on."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


INVITED_EMAIL = "invited_email"


def remember_invited_email(request: HttpRequest, email: str) -> None:
    """Note that this browser opened an invitation sent to `email`: the link came in that
    mailbox, so an account created here with that address needs no second confirmation."""
    request.session[INVITED_EMAIL] = email


class AccountAdapter(DefaultAccountAdapter):
    def is_email_verified(self, request: HttpRequest, email: str) -> bool:
        # Only the invited address itself (allauth's own "stashed" address would be added to
        # the account even when someone signs up with another).
        invited = request.session.get(INVITED_EMAIL) if request is not None else None
        if invited and invited.lower() == email.lower():
            return True
        return super().is_email_verified(request, email)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # The home view sends a new user to "create a workspace" and others to their workspace.
        return reverse("home")

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # Failed sign-ins count per address *and* client IP: a stranger who knows an owner's
        # address can spend their own attempts, never the owner's (the per-IP limit still
        # holds, and two-factor authentication guards against guessing from many addresses).
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{self.get_client_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Every link allauth puts in a message (confirm, reset, sign-up) is one of ours.
        context = {
            key: site_url(value)
            if isinstance(value, str) and value.startswith(("http://", "https://"))
            else value
            for key, value in context.items()
        }
        context["current_site"] = SimpleNamespace(
            name="xeroadmin", domain=urlsplit(settings.SITE_URL).netloc
        )
        super().send_mail(template_prefix, email, context)
