from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "xeroadmin.books"
    label = "books"
    verbose_name = "Books"

    def ready(self) -> None:
        from xeroadmin.connections.signals import organisation_connected

        organisation_connected.connect(_first_sync, dispatch_uid="books-first-sync")


def _first_sync(sender: Any, *, tenant: Any, actor: Any, **kwargs: Any) -> None:
    """A newly connected organisation's books are read at once."""
    from xeroadmin.books.sync import sync_request

    sync_request(tenant=tenant, actor=actor)
