from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "xeroadmin.tenancy"
    label = "tenancy"
    verbose_name = "Workspaces"
