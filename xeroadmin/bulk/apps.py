from __future__ import annotations

from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "xeroadmin.bulk"
    label = "bulk"
    verbose_name = "Bulk jobs"
