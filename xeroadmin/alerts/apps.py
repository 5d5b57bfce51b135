from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "xeroadmin.alerts"
    label = "alerts"
    verbose_name = "Rules and notifications"

    def ready(self) -> None:
        from xeroadmin.alerts import changes
        from xeroadmin.books.signals import changes_wanted, records_changed
        from xeroadmin.portfolio.signals import checks_done

        changes_wanted.connect(changes.wanted, dispatch_uid="alerts-changes-wanted")
        records_changed.connect(changes.record, dispatch_uid="alerts-record-changes")
        checks_done.connect(changes.checks_done, dispatch_uid="alerts-after-checks")
