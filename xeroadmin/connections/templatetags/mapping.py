"""The mapping table's rows, built in Python: a page has 50 rows with a client picker each, and
the template engine spent most of the page's time on them (`make bench BENCH=mapping_page`).
Every value goes through `html.escape`, so the result is safe to mark as such."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from xeroadmin.connections.models import Tenant

register = template.Library()


@register.simple_tag
def mapping_rows(
    form: Any,
    ws: int,
    calls_left: dict[int, int | None],
    suggestions: dict[int, Any],
    duplicates: set[str],
    highlight: set[str],
) -> SafeString:
    base = reverse("connections:tenant-list", args=[ws])
    rows = []
    for tenant, field, choice in form.rows():
        new = ' class="row-new"' if str(tenant.pk) in highlight else ""
        rows.append(
            f'<tr id="tenant-{tenant.pk}"{new}>'
            f"{_organisation(tenant, base, duplicates)}{_status(tenant)}"
            f"{_client(tenant, field, choice, base, suggestions.get(tenant.pk))}"
            f"{_health(tenant, calls_left.get(tenant.pk))}"
            f'<td data-label="Actions" class="nowrap">'
            + (
                f'<a href="{base}{tenant.pk}/disconnect/">Disconnect</a>'
                if tenant.status != Tenant.Status.DISCONNECTED
                else ""
            )
            + "</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


def _organisation(tenant: Tenant, base: str, duplicates: set[str]) -> str:
    same = (
        ' <span class="badge badge-warn" title="Another organisation has the same name; they '
        'are told apart by tenant id.">Same name as another</span>'
        if tenant.name.lower() in duplicates
        else ""
    )
    short = tenant.tenant_id if len(tenant.tenant_id) <= 13 else tenant.tenant_id[:12] + "…"
    return (
        f'<td data-label="Organisation"><input type="hidden" name="row" value="{tenant.pk}">'
        f'<a href="{base}{tenant.pk}/">{escape(tenant.name)}</a> '
        f'<small class="muted mono" title="Xero tenant id">{escape(short)}</small>{same}</td>'
    )


def _status(tenant: Tenant) -> str:
    tone = "badge-ok" if tenant.is_connected else "badge-warn" if tenant.needs_attention else ""
    return (
        f'<td data-label="Status"><span class="badge {tone}">'
        f"{escape(str(tenant.get_status_display()))}</span></td>"
    )


def _client(tenant: Tenant, field: Any, choice: Any, base: str, suggested: Any) -> str:
    listbox = f"client-options-{tenant.pk}"
    value = field.value() or ""
    invalid = ' aria-invalid="true"' if field.errors else ""
    picker = (
        f'<div class="combobox{" has-error" if field.errors else ""}">'
        f'<label class="visually-hidden" for="{field.auto_id}">Client for {escape(tenant.name)}'
        "</label>"
        f'<input type="text" name="{field.html_name}" id="{field.auto_id}" '
        f'value="{escape(str(value))}" maxlength="200" autocomplete="off" spellcheck="false" '
        f'placeholder="Type a client&#x27;s name" role="combobox" aria-autocomplete="list" '
        f'aria-expanded="false" aria-controls="{listbox}" data-combobox="{choice.html_name}" '
        f'hx-get="{base}mapping/{tenant.pk}/clients/" '
        f'hx-trigger="input changed delay:150ms, focus" hx-target="#{listbox}" '
        f'hx-swap="outerHTML" hx-sync="this:replace"{invalid}>'
        f'<input type="hidden" name="{choice.html_name}" id="{choice.auto_id}" '
        f'value="{escape(str(choice.value() or ""))}">'
        f'<ul id="{listbox}" class="combobox-list" role="listbox" '
        f'aria-label="Clients for {escape(tenant.name)}" hidden></ul></div>'
    )
    note = ""
    if tenant.client_id is None:
        if suggested is not None and suggested.exact:
            note = (
                f'<small class="help match-exact">Exact match ({escape(suggested.reason)}): '
                "saved with this page.</small>"
            )
        elif suggested is not None:
            name = escape(suggested.client.name)
            note = (
                f'<small class="help match-near">Near match ({escape(suggested.reason)}): '
                f'<button type="button" class="linklike" data-fill-picker="{field.auto_id}" '
                f'data-value="{suggested.client.pk}" data-label="{name}">use “{name}”</button>'
                "</small>"
            )
        else:
            note = '<span class="badge badge-warn">Unmapped</span>'
    errors = "".join(f'<p class="error">{escape(str(e))}</p>' for e in field.errors)
    return f'<td data-label="Client">{picker}{note}{errors}</td>'


def _health(tenant: Tenant, calls_left: int | None) -> str:
    text = ""
    if tenant.is_connected and calls_left is not None:
        text = f"<small>{calls_left} calls left today</small>"
    elif tenant.last_error:
        text = f'<small class="error">{escape(tenant.last_error)}</small>'
    return f'<td data-label="Health">{text}</td>'
