from __future__ import annotations

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "xeroadmin.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
