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
# Credit to allocate: credit notes, prepayments, overpayments.
CREDIT = {**DOCUMENT, "AUTHORISED": "To allocate", "PAID": "Allocated"}
QUOTE = {
    "DRAFT": "Draft",
    "SENT": "Sent",
    "ACCEPTED": "Accepted",
    "DECLINED": "Declined",
    "INVOICED": "Invoiced",
    "DELETED": "Deleted",
}
JOURNAL = {"DRAFT": "Draft", "POSTED": "Posted", "VOIDED": "Voided", "DELETED": "Deleted"}
BANK = {"AUTHORISED": "Entered", "DELETED": "Deleted", "VOIDED": "Voided"}
KINDS = {
    "document": DOCUMENT,
    "payment": PAYMENT,
    "record": RECORD,
    "credit_note": CREDIT,
    "prepayment": CREDIT,
    "overpayment": CREDIT,
    "quote": QUOTE,
    "manual_journal": JOURNAL,
    "bank_transaction": BANK,
}


def status_word(status: str | None, kind: str = "document") -> str:
    """The word for `status` ("AUTHORISED" is "Awaiting payment"); an unknown code is shown
    in sentence case rather than hidden."""
    if not status:
        return ""
    return KINDS.get(kind, DOCUMENT).get(status, status.replace("_", " ").capitalize())
