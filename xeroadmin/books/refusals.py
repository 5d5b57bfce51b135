"""Why a write did not happen, said one way for every books page.

A refusal is ours (a ValidationError from a form or service), a conflict (the record changed
in Xero since the page was loaded), or Xero's (its validation messages, its rate limit with
when to try again, or its being unreachable). Each kind has its message, its loudness, the
HTTP status of a page that shows it again, and the field errors where it names fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError

from xeroadmin.books.services import Conflict, DraftRejected
from xeroadmin.xero.errors import XeroError, XeroRateLimited, XeroValidationError


@dataclass
class Refusal:
    message: str
    level: int = messages.ERROR
    status: int = 422
    fields: ValidationError | None = None
    lines: dict[int, list[str]] | None = None


def refusal(error: Exception, doing: str) -> Refusal | None:
    """The refusal `error` stands for, or None when it is no refusal (a bug: let it rise).
    `doing` finishes "Xero could not …" ("save it", "attach it")."""
    if isinstance(error, DraftRejected):
        return Refusal(str(error), fields=error.header, lines=error.lines)
    if isinstance(error, ValidationError):
        return Refusal(" ".join(error.messages), fields=error)
    if isinstance(error, Conflict):
        return Refusal(str(error), level=messages.WARNING, status=409)
    if isinstance(error, XeroRateLimited):
        # The retry hint: the limit's message says when; nothing was sent.
        text = f"{error.message} Nothing was changed; try again then."
        return Refusal(text, level=messages.WARNING, status=429)
    if isinstance(error, XeroValidationError):
        return Refusal("Xero refused: " + " ".join(error.messages))
    if isinstance(error, XeroError):
        return Refusal(f"Xero could not {doing}: {error.message}", status=502)
    return None
