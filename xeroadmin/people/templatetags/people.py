"""The users audit's longest tables, built in Python (as the mapping table's are: a page of 50
rows through the template engine was most of its time; `make bench BENCH=users_audit`). Every
value goes through `html.escape`, so the result is safe to mark as such."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def people_rows(rows: Iterable[dict[str, Any]], ws: int) -> SafeString:
    person = reverse("people:person", args=[ws])
    lines = []
    for row in rows:
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        lines.append(
            f'<tr><td data-label="Person"><a href="{person}?email={quote(row["email"])}">'
            f"{escape(row['email'])}</a>"
            + (f' <small class="muted">{escape(name)}</small>' if name else "")
            + f'</td><td data-label="Organisations" class="num">{row["organisations"]}</td>'
            f'<td data-label="As adviser" class="num">{row["advisers"]}</td>'
            f'<td data-label="As subscriber" class="num">{row["subscribers"]}</td></tr>'
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above is escaped


@register.simple_tag
def outside_rows(users: Iterable[Any], ws: int) -> SafeString:
    person = reverse("people:person", args=[ws])
    organisation = reverse("people:organisation", args=[ws, 0]).removesuffix("0/")
    lines = []
    for user in users:
        client = user.tenant.client
        lines.append(
            f'<tr><td data-label="Organisation"><a href="{organisation}{user.tenant_id}/">'
            f"{escape(user.tenant.name)}</a>"
            + (f' <small class="muted">{escape(client.name)}</small>' if client else "")
            + f'</td><td data-label="Person"><a href="{person}?email={quote(user.email)}">'
            f"{escape(user.email)}</a></td>"
            f'<td data-label="Role"><span class="badge badge-warn">'
            f"{escape(str(user.get_role_display()))}</span></td></tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above is escaped
