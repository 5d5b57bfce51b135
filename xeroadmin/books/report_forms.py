"""What each report page asks for, from its URL: the period or the date, and how to compare.
Each form turns its choices into Xero's report arguments; a value it cannot read falls back to
the default and is said so."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIMEFRAMES = [
    ("MONTH", "Previous month"),
    ("QUARTER", "Previous quarter"),
    ("YEAR", "Previous year"),
]


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class ReportForm(forms.Form):
    def __init__(self, query: Any) -> None:
        super().__init__({name: query.get(name, "") for name in self.base_fields})

    def value(self, name: str, default: Any) -> Any:
        self.is_valid()
        found = getattr(self, "cleaned_data", {}).get(name)
        return default if found in (None, "") else found

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label or name} ({' '.join(str(e) for e in errors)})"
            for name, errors in self.errors.items()
        ]

    def params(self) -> dict[str, str]:
        raise NotImplementedError

    def shown(self) -> list[forms.BoundField]:
        """The fields the page shows (those of the chosen way of showing the report)."""
        return list(self)


class ProfitAndLossForm(ReportForm):
    """Month by month (up to 12, newest first), or a period against the one before it."""

    view = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("months", "Month by month"), ("compare", "A period against the one before")],
    )
    months = forms.IntegerField(
        required=False,
        label="Months",
        min_value=1,
        max_value=12,
        widget=forms.NumberInput(attrs={"placeholder": "12"}),
    )
    month = forms.DateField(required=False, label="Up to the month of", widget=DATE)
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)
    against = forms.ChoiceField(required=False, label="Against", choices=TIMEFRAMES)

    def shown(self) -> list[forms.BoundField]:
        if self.value("view", "months") == "compare":
            return [self["view"], self["date_from"], self["date_to"], self["against"]]
        return [self["view"], self["months"], self["month"]]

    def params(self) -> dict[str, str]:
        today = timezone.localdate()
        if self.value("view", "months") == "compare":
            start = self.value("date_from", today.replace(day=1))
            end = self.value("date_to", month_end(start))
            if end < start:
                start, end = end, start
            return {
                "fromDate": start.isoformat(),
                "toDate": end.isoformat(),
                "periods": "1",
                "timeframe": self.value("against", "MONTH"),
            }
        last = self.value("month", today)
        months = self.value("months", 12)
        return {
            "fromDate": last.replace(day=1).isoformat(),
            "toDate": month_end(last).isoformat(),
            "periods": str(months - 1) if months > 1 else "",
            "timeframe": "MONTH",
        }


class BalanceSheetForm(ReportForm):
    date = forms.DateField(required=False, label="As at", widget=DATE)
    compare = forms.IntegerField(
        required=False, label="Months before to compare", min_value=0, max_value=11
    )

    def params(self) -> dict[str, str]:
        compare = self.value("compare", 0)
        return {
            "date": self.value("date", timezone.localdate()).isoformat(),
            "periods": str(compare) if compare else "",
            "timeframe": "MONTH" if compare else "",
        }


class TrialBalanceForm(ReportForm):
    date = forms.DateField(required=False, label="As at", widget=DATE)

    def params(self) -> dict[str, str]:
        return {"date": self.value("date", timezone.localdate()).isoformat()}


class BankSummaryForm(ReportForm):
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)

    def params(self) -> dict[str, str]:
        today = timezone.localdate()
        start = self.value("date_from", today.replace(day=1))
        end = self.value("date_to", today)
        if end < start:
            start, end = end, start
        return {"fromDate": start.isoformat(), "toDate": end.isoformat()}


class AgedForm(ReportForm):
    as_of = forms.DateField(required=False, label="As at", widget=DATE)

    def day(self) -> date:
        day: date = self.value("as_of", timezone.localdate())
        return day


FORMS: dict[str, type[ReportForm]] = {
    "profit-and-loss": ProfitAndLossForm,
    "balance-sheet": BalanceSheetForm,
    "trial-balance": TrialBalanceForm,
    "bank-summary": BankSummaryForm,
}
