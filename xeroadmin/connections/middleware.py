"""Say at the top of the next page when a person's write waited for Xero's rate limits; write
the calls to Xero a request made."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from xeroadmin.connections import usage
from xeroadmin.xero.client import holding

# Shorter waits pass unremarked.
NOTICEABLE = 1.0


def xero_wait_notice(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return get_response(request)
        with holding() as held:
            response = get_response(request)
        if held[0] >= NOTICEABLE and response.status_code < 400:
            messages.info(
                request,
                f"Xero's rate limit held this back for {round(held[0])} s; it then went through.",
            )
        return response

    return middleware


def usage_flush(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Write the calls to Xero a request made (counted in memory as they were made)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        usage.flush()
        return response

    return middleware
