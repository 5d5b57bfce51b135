from __future__ import annotations

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "xeroadmin.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        from xeroadmin.books.signals import books_changed
        from xeroadmin.portfolio.tasks import books_changed as run_checks

        books_changed.connect(run_checks, dispatch_uid="portfolio-checks")
