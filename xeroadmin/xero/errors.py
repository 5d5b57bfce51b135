"""Typed errors for everything Xero can answer, each with a message a person can read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class XeroError(Exception):
    """Base of every error from talking to Xero."""

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class XeroUnavailable(XeroError):
    """Xero did not answer, or answered with a server error, after the retries."""


class XeroNotFound(XeroError):
    status = 404


class XeroForbidden(XeroError):
    """The token lacks a scope, or Xero refused the call for this organisation."""

    status = 403


class XeroTokenExpired(XeroError):
    """The access token expired and could not be renewed in time."""

    status = 401


class XeroConnectionRevoked(XeroError):
    """The organisation was disconnected, or the grant revoked: an admin must reconnect."""


class XeroOAuthError(XeroError):
    """The identity server refused a token request (`invalid_grant`, `invalid_client`, ...)."""

    def __init__(self, error: str, description: str = "", *, status: int | None = None) -> None:
        self.error = error
        self.description = description
        super().__init__(
            OAUTH_MESSAGES.get(error, f"Xero refused the request ({error})."), status=status
        )


class XeroIdentityRefused(XeroError):
    """Xero's id_token did not check out against Xero's published keys: its signature, issuer,
    audience or lifetime is wrong. Nothing that sign-in granted is used."""


OAUTH_MESSAGES = {
    "access_denied": "Access to Xero was not granted.",
    "invalid_grant": "Xero no longer accepts this connection's sign-in: it needs reconnecting.",
    "invalid_client": "Xero did not recognise the app's client id and secret.",
    "unauthorized_client": "This Xero app may not use this kind of connection.",
    "invalid_scope": "Xero refused the requested permissions (scopes).",
    "unsupported_grant_type": "Xero refused the kind of sign-in requested.",
}


class XeroRateLimited(XeroError):
    """A rate limit was reached and waiting it out would take longer than the caller allows."""

    status = 429

    def __init__(self, problem: str, retry_after: float) -> None:
        self.problem = problem
        self.retry_after = retry_after
        label = LIMIT_NAMES.get(problem.lower(), problem)
        super().__init__(f"Xero asked us to wait {_seconds(retry_after)} ({label}).")


LIMIT_NAMES = {
    "minute": "60 calls a minute per organisation",
    "day": "the daily call budget per organisation",
    "concurrent": "5 calls at once per organisation",
    "appminute": "10,000 calls a minute for the app",
}


def _seconds(value: float) -> str:
    whole = max(1, round(value))
    if whole >= 3600:
        return f"{whole // 3600} h {whole % 3600 // 60} min"
    if whole >= 120:
        return f"{whole // 60} min"
    return f"{whole} s"


# Xero's validation messages name no field; these phrases say which one a message is about.
FIELD_HINTS: tuple[tuple[str, str], ...] = (
    (r"e-?mail", "EmailAddress"),
    (r"contact number", "ContactNumber"),
    (r"contact name|\bname\b.*already|^name\b|\bname (is|must)", "Name"),
    (r"due ?date", "DueDate"),
    (r"\bdate\b", "Date"),
    (r"account code|\baccount\b", "AccountCode"),
    (r"tax ?type|tax rate", "TaxType"),
    (r"currency", "CurrencyCode"),
    (r"\bcode\b", "Code"),
    (r"reference", "Reference"),
    (r"amount", "Amount"),
    (r"quantity", "Quantity"),
    (r"unit ?amount|price", "UnitAmount"),
    (r"description", "Description"),
    (r"status", "Status"),
    (r"contact", "Contact"),
)


def field_for(message: str) -> str | None:
    """The Xero field a validation message is about, when its wording says so."""
    lowered = message.lower()
    for pattern, name in FIELD_HINTS:
        if re.search(pattern, lowered):
            return name
    return None


@dataclass
class ElementErrors:
    """The validation messages of one element of a request (one invoice, one contact...)."""

    index: int
    messages: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[int, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


class XeroValidationError(XeroError):
    """A 400 ValidationException, with the messages of each element, by field where known."""

    status = 400

    def __init__(self, elements: list[ElementErrors], message: str = "") -> None:
        self.elements = elements
        flat = [m for e in elements for m in e.messages]
        super().__init__(message or " ".join(flat) or "Xero rejected the request.")

    @property
    def messages(self) -> list[str]:
        return [m for e in self.elements for m in e.messages]

    @classmethod
    def from_body(cls, body: Any) -> XeroValidationError:
        """Read Xero's `{"Elements": [{"ValidationErrors": [...], "LineItems": [...]}]}`."""
        if not isinstance(body, dict):
            return cls([], "Xero rejected the request.")
        problem = body.get("problem")
        if isinstance(problem, dict):
            return cls._from_problem(problem)
        elements: list[ElementErrors] = []
        # The Accounting API names them Elements; Australia's payroll 1.0, by the kind sent.
        raw_elements = body.get("Elements") or body.get("Employees")
        for index, element in enumerate(raw_elements if isinstance(raw_elements, list) else []):
            if not isinstance(element, dict):
                continue
            found = ElementErrors(index)
            for message in _messages(element.get("ValidationErrors")):
                found.messages.append(message)
                name = field_for(message)
                if name:
                    found.fields.setdefault(name, []).append(message)
                else:
                    found.general.append(message)
            lines = element.get("LineItems")
            for number, line in enumerate(lines if isinstance(lines, list) else []):
                if isinstance(line, dict):
                    for message in _messages(line.get("ValidationErrors")):
                        found.lines.setdefault(number, []).append(message)
                        found.messages.append(f"Line {number + 1}: {message}")
            if found.messages:
                elements.append(found)
        if not elements:
            # Some 400s carry only a top-level message (a malformed request, say).
            message = body.get("Message") or body.get("Detail") or "Xero rejected the request."
            elements = [ElementErrors(0, [str(message)], general=[str(message)])]
        return cls(elements)

    @classmethod
    def _from_problem(cls, problem: dict[str, Any]) -> XeroValidationError:
        """The payroll 2.0 APIs' `{"problem": {"detail", "invalidFields": [{"name",
        "reason"}]}}`: each reason kept under the field Xero named."""
        found = ElementErrors(0)
        for item in problem.get("invalidFields") or []:
            if isinstance(item, dict) and item.get("reason"):
                reason = str(item["reason"])
                found.messages.append(reason)
                found.fields.setdefault(str(item.get("name") or ""), []).append(reason)
        if not found.messages:
            detail = str(problem.get("detail") or problem.get("title") or "Xero rejected it.")
            found.messages.append(detail)
            found.general.append(detail)
        return cls([found])


def _messages(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        return []
    return [str(item["Message"]) for item in raw if isinstance(item, dict) and item.get("Message")]
