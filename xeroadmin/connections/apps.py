from __future__ import annotations

from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "xeroadmin.connections"
    label = "connections"
    verbose_name = "Xero connections"
