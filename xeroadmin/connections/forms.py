from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from xeroadmin.connections.mapping import CSV_MAX_BYTES, NEW_CLIENT, NOT_MAPPED
from xeroadmin.connections.matching import Suggestion
from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.tenancy.models import Client

SCOPE_CHOICES = [
    ("", "The deployment's default"),
    ("granular", "Granular scopes (Xero apps created from 2 March 2026)"),
    ("broad", "Broad scopes (older Xero apps)"),
]


def _secret(label: str, *, required: bool, help_text: str = "") -> forms.CharField:
    # Write-only: the stored value is never rendered back into the page.
    return forms.CharField(
        label=label,
        required=required,
        max_length=500,
        help_text=help_text,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class XeroAppForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="A name for you, e.g. “Harbour Accounting (Xero)”."
    )
    client_id = forms.CharField(label="Client id", max_length=100)
    client_secret = _secret("Client secret", required=True)
    webhook_key = _secret(
        "Webhook key",
        required=False,
        help_text="From the app's Webhooks page in Xero, if you use them.",
    )
    scopes = forms.ChoiceField(choices=SCOPE_CHOICES, required=False)

    def __init__(self, *args: Any, app: XeroApp | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if app is not None:
            # Editing: the client id identifies the app, and blank secrets keep the stored ones.
            del self.fields["client_id"]
            self.fields["client_secret"].required = False
            self.fields["client_secret"].help_text = "Stored. Leave blank to keep it."
            if app.webhook_key:
                self.fields["webhook_key"].help_text = "Stored. Leave blank to keep it."


class CustomConnectionForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="Optional; the organisation's name is used otherwise.",
    )
    client_id = forms.CharField(label="Client id", max_length=100)
    client_secret = _secret("Client secret", required=True)


class ConnectForm(forms.Form):
    app = forms.ChoiceField(label="Xero app", required=False)

    def __init__(self, *args: Any, apps: list[XeroApp], default_app: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "xeroadmin (this deployment's app)")] if default_app else []
        choices += [(str(app.pk), app.name) for app in apps]
        field = self.fields["app"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.fields["app"].required = not default_app


class DisconnectForm(forms.Form):
    books = forms.ChoiceField(
        label="Its books in xeroadmin",
        choices=[
            ("keep", "Keep them, read-only (reconnect later to pick up where it left off)"),
            ("purge", "Purge them from xeroadmin now"),
        ],
        initial="keep",
        widget=forms.RadioSelect,
    )


_CHOICE = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
_TYPED = forms.CharField(label="Client", required=False, max_length=200)


class MappingForm(forms.Form):
    """The rows of one page of the mapping table: for each organisation, a client (chosen in
    its picker, or typed in full), a new client named after it, or none."""

    def __init__(
        self,
        *args: Any,
        tenants: list[Tenant],
        suggestions: dict[int, Suggestion | None],
        find: Callable[[str], Client | None],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tenants = tenants
        self.find = find
        for tenant in tenants:
            suggestion = suggestions.get(tenant.pk)
            chosen = tenant.client or (
                suggestion.client if suggestion and suggestion.exact else None
            )
            # A client picker in the page (`templatetags/mapping.py`): the text typed, and the
            # choice made from its list. Every row shares the two fields (they hold nothing
            # of their own); what differs is each row's initial value.
            self.fields[f"map-{tenant.pk}"] = _CHOICE
            self.fields[f"client-{tenant.pk}"] = _TYPED
            self.initial[f"map-{tenant.pk}"] = str(chosen.pk) if chosen else ""
            self.initial[f"client-{tenant.pk}"] = chosen.name if chosen else ""

    def rows(self) -> list[tuple[Tenant, forms.BoundField, forms.BoundField]]:
        return [
            (tenant, self[f"client-{tenant.pk}"], self[f"map-{tenant.pk}"])
            for tenant in self.tenants
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for tenant in self.tenants:
            chosen = data.get(f"map-{tenant.pk}", "")
            typed = (data.get(f"client-{tenant.pk}") or "").strip()
            if chosen in (NEW_CLIENT, NOT_MAPPED):
                continue
            if chosen.isdigit():
                picked = self.find(chosen)
                # Without JavaScript the hidden choice stays as it was while the name is typed
                # over: the name typed wins.
                if picked is not None and picked.name.lower() == typed.lower():
                    continue
            if not typed:
                data[f"map-{tenant.pk}"] = NOT_MAPPED
                continue
            found = self.find(typed)
            if found is None:
                self.add_error(
                    f"client-{tenant.pk}",
                    f"No client is called “{typed}”. Choose one from the list, or "
                    "“New client” to create one named after the organisation.",
                )
            else:
                data[f"map-{tenant.pk}"] = str(found.pk)
        return data

    def choices(self) -> dict[int, str]:
        """Each organisation's choice, as `mapping.mapping_save` takes it."""
        result = {}
        for tenant in self.tenants:
            chosen = self.cleaned_data.get(f"map-{tenant.pk}", "")
            result[tenant.pk] = "" if chosen == NOT_MAPPED else chosen
        return result


class MappingImportForm(forms.Form):
    """A mapping CSV to preview (its text is then carried, in the preview's confirm form, to
    the import, so that nothing is uploaded twice)."""

    file = forms.FileField(
        label="CSV file",
        help_text="Columns tenant_id and client, and optionally client_reference "
        "(export the mapping for a file to start from). Up to 2 MB.",
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; split it.")
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(
            "The file is not text; save it from the spreadsheet as CSV (UTF-8)."
        )
