from __future__ import annotations

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    # Registered only so that `manage.py xero_sandbox` is found; the sandbox has no models.
    name = "xeroadmin.sandbox"
    label = "sandbox"
    verbose_name = "Xero sandbox"
