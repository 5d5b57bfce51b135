from __future__ import annotations

from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "xeroadmin.books"
    label = "books"
    verbose_name = "Books"
