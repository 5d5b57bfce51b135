"""What this app tells the apps above it, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# An organisation was connected (or reconnected) by `actor`: sent with `tenant` and `actor`.
# The books app receives it and schedules the organisation's first sync.
organisation_connected = Signal()
