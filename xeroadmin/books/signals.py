"""What this app tells the apps above it, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# An organisation's mirrored books changed (invoices, payments or contacts written by a sync, a
# webhook batch or an edit here): sent with `tenant`. The portfolio re-runs its checks.
books_changed = Signal()
