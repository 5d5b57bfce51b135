"""Request-wide rules that no single view owns."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

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
