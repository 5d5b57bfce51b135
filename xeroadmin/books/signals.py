"""What this app tells the apps above it, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# An organisation's mirrored books changed (invoices, payments or contacts written by a sync, a
# webhook batch or an edit here): sent with `tenant`. The portfolio re-runs its checks.
books_changed = Signal()

# Asked before a write to the mirror, with `tenant`: does anyone want to know which records it
# creates or changes (a receiver answers True)? Reading the records' state before the write
# costs a query, so it is read only then.
changes_wanted = Signal()

# Sent after such a write, with `tenant`, `kind` ("invoice" or "contact") and `changes`: one
# dict per record created or changed (`xero_id`, `pk`, `created`, `status_from`, `status_to`,
# `bank_changed`).
records_changed = Signal()
