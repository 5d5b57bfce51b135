"""Rules, subscriptions and channels, as people make them."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings

from xeroadmin.alerts.models import CONDITIONS, Channel, Rule
from xeroadmin.books.access import organisation_list
from xeroadmin.lib import outbound
from xeroadmin.tenancy.access import visible_clients
from xeroadmin.tenancy.models import Membership

DEFAULTS = {"days": 30, "level": 60}


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ("condition", "days", "amount", "level", "clients", "tenants", "in_app", "email")
        labels = {
            "condition": "When",
            "days": "Days (for overdue invoices)",
            "amount": "Amount at least",
            "level": "Health score below",
            "clients": "Only these clients",
            "tenants": "Only these organisations",
            "email": "E-mail",
        }
        widgets = {
            "clients": forms.CheckboxSelectMultiple,
            "tenants": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, membership: Membership, workspace_rule: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.membership, self.workspace_rule = membership, workspace_rule
        fields = self.fields
        cast(forms.ChoiceField, fields["condition"]).choices = [
            (key, label) for key, (label, _) in CONDITIONS.items()
        ]
        fields["clients"].queryset = visible_clients(membership).order_by("name")  # type: ignore[attr-defined]
        fields["tenants"].queryset = organisation_list(membership)  # type: ignore[attr-defined]
        fields["tenants"].label_from_instance = lambda t: t.name  # type: ignore[attr-defined]
        fields["clients"].help_text = fields["tenants"].help_text = (
            "Tick none to cover every one you may see."
        )
        if workspace_rule:
            fields["channels"] = forms.ModelMultipleChoiceField(
                queryset=Channel.objects.filter(workspace_id=membership.workspace_id),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Also send to",
                initial=self.instance.channels.all() if self.instance.pk else None,
            )
            fields["in_app"].help_text = "In the bell of every member who may see it."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        condition = data.get("condition")
        if condition in CONDITIONS:
            wanted = CONDITIONS[condition][1]
            for name in ("days", "amount", "level"):
                if name not in wanted:
                    data[name] = None
                elif data.get(name) is None and name in DEFAULTS:
                    data[name] = DEFAULTS[name]
        channels = data.get("channels")
        if not data.get("in_app") and not data.get("email") and not channels:
            raise forms.ValidationError(
                "Choose where it goes: the bell, e-mail"
                + (" or a channel." if self.workspace_rule else ".")
            )
        return data


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ("kind", "name", "url", "record_events")
        labels = {"kind": "Kind", "url": "Address (URL)"}
        widgets = {
            "url": forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"})
        }
        help_texts = {
            "record_events": "Signed webhooks only: every contact and invoice created or updated, "
            "besides the alerts of the rules that send to it.",
        }

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        if len(url) > 2000:
            raise forms.ValidationError("That address is too long.")
        try:
            outbound.check_url(url, allow_loopback=settings.OUTBOUND_ALLOW_LOOPBACK)
        except outbound.Refused as refused:
            raise forms.ValidationError(str(refused)) from None
        return url
