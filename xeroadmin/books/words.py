"""Xero's states in the words a bookkeeper reads in Xero itself, never its API's codes.

Source: Xero's invoice list tabs (Draft, Awaiting Approval, Awaiting Payment, Paid) and the
payment and contact screens; written in sentence case, as every page here is.
"""

from __future__ import annotations

# Invoices, bills and credit notes.
DOCUMENT = {
    "DRAFT": "Draft",
    "SUBMITTED": "Awaiting approval",
    "AUTHORISED": "Awaiting payment",
    "PAID": "Paid",
    "VOIDED": "Voided",
    "DELETED": "Deleted",
}
PAYMENT = {"AUTHORISED": "Applied", "DELETED": "Reversed"}
# Contacts and accounts.
RECORD = {"ACTIVE": "Active", "ARCHIVED": "Archived", "DELETED": "Deleted"}
KINDS = {"document": DOCUMENT, "payment": PAYMENT, "record": RECORD}


def status_word(status: str | None, kind: str = "document") -> str:
    """The word for `status` ("AUTHORISED" is "Awaiting payment"); an unknown code is shown
    in sentence case rather than hidden."""
    if not status:
        return ""
    return KINDS.get(kind, DOCUMENT).get(status, status.replace("_", " ").capitalize())
