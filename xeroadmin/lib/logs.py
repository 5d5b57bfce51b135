"""Log filters: ordinary refusals in one line, and no secret in a logged path."""

from __future__ import annotations

import logging
import re

# Paths that carry a secret in a segment: invitation tokens, allauth's e-mail confirmation
# and password-reset keys, and each workspace app's webhook token.
SECRET_PATHS = re.compile(
    r"(/invitations/|/accounts/confirm-email/|/accounts/password/reset/key/|/webhooks/xero/)"
    r"[^/\s?\"']+"
)
MASK = "…"


def mask_secrets(text: str) -> str:
    """`text` with the secret segment of every such path replaced by a mark."""
    return SECRET_PATHS.sub(lambda match: match.group(1) + MASK, text)


class MaskSecrets(logging.Filter):
    """Rewrite a record's message and string arguments so no token reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(a) if isinstance(a, str) else a for a in record.args)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # Django's handlers format the request into tracebacks; hide its path there too.
            record.request = _Masked(request)
        return True


class OneLineRefusals(logging.Filter):
    """A 4xx that Django logs (403 Forbidden, 404 Not found, 405) is an answer, not a fault:
    one line, without the traceback of the exception that produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class _Masked:
    """A stand-in for a request in log records, with the secret in its path masked."""

    def __init__(self, request: object) -> None:
        self._request = request
        self.path = mask_secrets(str(getattr(request, "path", "")))

    def __getattr__(self, name: str) -> object:
        return getattr(self._request, name)

    def __repr__(self) -> str:
        return f"<request {self.path}>"
