from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xeroadmin.people"
    label = "people"
    verbose_name = "Who can reach each organisation"

    def ready(self) -> None:
        from xeroadmin.connections.signals import organisation_connected

        organisation_connected.connect(_first_read, dispatch_uid="people-first-read")


def _first_read(sender: Any, *, tenant: Any, actor: Any, **kwargs: Any) -> None:
    """A newly connected organisation's users are read at once (if not read today)."""
    from xeroadmin.lib.tasks import enqueue_on_commit
    from xeroadmin.people.tasks import users_read_one

    enqueue_on_commit(users_read_one, tenant.pk)
