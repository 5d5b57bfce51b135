"""What the portfolio tells the apps above it, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# An organisation's checks have just run (with `tenant`): its findings and score are current.
checks_done = Signal()
