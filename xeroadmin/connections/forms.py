from __future__ import annotations

from typing import Any

from django import forms

from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.connections.services import NEW_CLIENT
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


class MappingForm(forms.Form):
    """One choice per organisation: a client, a new client named after it, or none."""

    def __init__(
        self,
        *args: Any,
        tenants: list[Tenant],
        clients: list[Client],
        suggestions: dict[int, Client | None],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— Not mapped —"), (NEW_CLIENT, "+ New client named after it")]
        choices += [(str(c.pk), c.name) for c in clients]
        for tenant in tenants:
            suggested = suggestions.get(tenant.pk)
            initial = tenant.client_id or (suggested.pk if suggested else "")
            self.fields[f"map-{tenant.pk}"] = forms.ChoiceField(
                label=tenant.name, choices=choices, required=False, initial=str(initial or "")
            )
        self.tenants = tenants

    def rows(self) -> list[tuple[Tenant, forms.BoundField]]:
        return [(tenant, self[f"map-{tenant.pk}"]) for tenant in self.tenants]

    def choices(self) -> dict[int, str]:
        return {tenant.pk: self.cleaned_data.get(f"map-{tenant.pk}", "") for tenant in self.tenants}
