"""ASGI entry point, for servers that prefer it; nothing in the product is async."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeroadmin.settings")
application = get_asgi_application()
