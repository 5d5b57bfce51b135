"""The checks' settings: thresholds, duplicate strictness, and each kind's weight in the
health score."""

from __future__ import annotations

from typing import Any

from django import forms

from xeroadmin.portfolio.models import KINDS, CheckSettings


class CheckSettingsForm(forms.ModelForm):
    class Meta:
        model = CheckSettings
        fields = (
            "draft_days",
            "overdue_days",
            "overdue_amount",
            "duplicate_bill_days",
            "attachment_amount",
            "strictness",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weights = self.instance.weights or {}
        for kind, (label, default) in KINDS.items():
            self.fields[f"weight_{kind}"] = forms.IntegerField(
                label=f"Weight of “{label}”",
                min_value=0,
                max_value=100,
                initial=weights.get(kind, default),
                help_text="Points each open finding of this kind takes off the score (0 to 100).",
            )

    def weight_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("weight_")]

    def threshold_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("weight_")]

    def save(self, commit: bool = True) -> CheckSettings:
        settings = super().save(commit=False)
        settings.weights = {kind: self.cleaned_data[f"weight_{kind}"] for kind in KINDS}
        if commit:
            settings.save()
        return settings
