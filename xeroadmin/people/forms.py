from __future__ import annotations

import re
from datetime import date

from django import forms

_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class PracticeDomainsForm(forms.Form):
    domains = forms.CharField(
        label="Your practice's e-mail domains",
        max_length=500,
        required=False,
        help_text="Comma-separated, e.g. harbour-accounting.co.nz. Anyone else is outside the "
        "practice. Blank: your members' own domains.",
    )

    def clean_domains(self) -> list[str]:
        found = []
        for part in self.cleaned_data["domains"].split(","):
            domain = part.strip().lower().lstrip("@")
            if not domain:
                continue
            if not _DOMAIN.match(domain):
                raise forms.ValidationError(f"“{part.strip()}” is not a domain (like example.com).")
            found.append(domain)
        return sorted(set(found))


class ChangesForm(forms.Form):
    since = forms.DateField(
        label="Changed since",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def clean_since(self) -> date | None:
        since = self.cleaned_data.get("since")
        if since is not None and since.year < 2000:
            raise forms.ValidationError("Choose a date from 2000 on.")
        return since
