"""Request-wide rules that no single view owns."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect

# Machine-to-machine paths answer on any allowed host: load balancers, Xero's webhooks, files.
ANY_HOST_PATHS = ("/healthz", "/webhooks/", "/static/")


def site_host_redirect(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Send a signed-out visitor who came in on another allowed host (the demo opened on
    `localhost` while SITE_URL says `127.0.0.1`) to SITE_URL's host before they sign in: the
    session cookie, Xero's return address and e-mailed links all belong to that one host."""

    def middleware(request: HttpRequest) -> HttpResponse:
        site = urlsplit(settings.SITE_URL)
        if (
            request.method in ("GET", "HEAD")
            and request.get_host() != site.netloc
            and not request.path.startswith(ANY_HOST_PATHS)
            and not request.user.is_authenticated
        ):
            return HttpResponseRedirect(f"{site.scheme}://{site.netloc}{request.get_full_path()}")
        return get_response(request)

    return middleware


def permissions_policy(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Tell browsers which powerful features no page of ours may use."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


class ContentSecurityPolicy(CSPMiddleware):
    """CONTENT_SECURITY_POLICY, with forms also allowed to lead to Xero's sign-in wherever
    XERO_LOGIN_URL points at the time (Connect to Xero posts, then redirects there)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            parts.update = {**(parts.update or {}), "form-action": [settings.XERO_LOGIN_URL]}
        return parts
