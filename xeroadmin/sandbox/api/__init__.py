"""The Accounting API (`/api.xro/2.0/...`): one module per resource, each registering itself
with the router (`router.register`); `common` holds what they share."""

from __future__ import annotations

# Each resource module registers itself when imported.
from xeroadmin.sandbox.api import (  # noqa: F401
    accounts,
    bank_transactions,
    bank_transfers,
    contacts,
    credit_notes,
    invoices,
    items,
    manual_journals,
    organisation,
    payments,
    prepayments,
    quotes,
    reports,
    tracking,
    users,
)
from xeroadmin.sandbox.api.common import Call, Reply
from xeroadmin.sandbox.api.router import check_scope, dispatch, knows

__all__ = ["Call", "Reply", "check_scope", "dispatch", "knows"]
