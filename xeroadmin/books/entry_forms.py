"""Forms of what is entered here besides invoices: money spent or received on a bank account
(its lines are the invoice editor's), and manual journals (a debit or a credit per line)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms

from xeroadmin.books.forms import ContactPicker, SeenField, resolve_contact

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
AMOUNT_TYPES = [("Exclusive", "Tax exclusive"), ("Inclusive", "Tax inclusive"), ("NoTax", "No tax")]


class BankTransactionForm(forms.Form):
    type = forms.ChoiceField(
        label="Money",
        choices=[("SPEND", "Spent (spend money)"), ("RECEIVE", "Received (receive money)")],
    )
    bank_account = forms.ChoiceField(label="Bank account")
    contact_name = forms.CharField(
        label="Contact", max_length=255, required=False, widget=ContactPicker()
    )
    contact = forms.CharField(max_length=36, required=False, widget=forms.HiddenInput)
    date = forms.DateField(widget=DATE)
    reference = forms.CharField(max_length=255, required=False)
    line_amount_types = forms.ChoiceField(label="Amounts are", choices=AMOUNT_TYPES)
    seen = SeenField()

    def __init__(
        self,
        *args: Any,
        contacts: Callable[[str, str], list[tuple[str, str]]],
        accounts: list[Any],
        options_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.find_contacts = contacts
        picker = self.fields["contact_name"].widget
        assert isinstance(picker, ContactPicker)
        picker.picker_attrs(options_url, "contact-options")
        bank = self.fields["bank_account"]
        assert isinstance(bank, forms.ChoiceField)
        bank.choices = [(a.xero_id, f"{a.code} · {a.name}".strip(" ·")) for a in accounts]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        resolve_contact(self, data, self.find_contacts)
        return data


class JournalForm(forms.Form):
    narration = forms.CharField(
        label="Narration", max_length=4000, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    date = forms.DateField(widget=DATE)


class JournalLineForm(forms.Form):
    """A journal line: an account, what it is for, and a debit or a credit (not both)."""

    account_code = forms.ChoiceField(label="Account")
    description = forms.CharField(max_length=4000, required=False)
    debit = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=18, decimal_places=2
    )
    credit = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=18, decimal_places=2
    )

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["account_code"]
        assert isinstance(account, forms.ChoiceField)
        account.choices = [("", "—"), *choices["accounts"]]
        self.categories: list[str] = []
        for index, (category, name, options) in enumerate(choices.get("tracking", [])):
            self.categories.append(category)
            self.fields[f"tracking_{index}"] = forms.ChoiceField(
                required=False, label=name, choices=[("", "—"), *options]
            )

    def tracking_fields(self) -> list[forms.BoundField]:
        return [self[f"tracking_{n}"] for n in range(len(self.categories))]

    def is_blank(self) -> bool:
        """A row left empty (the editor offers spare rows): not sent, not an error."""
        names = ("account_code", "description", "debit", "credit")
        return not any((self.data.get(f"{self.prefix}-{name}") or "").strip() for name in names)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        debit, credit = data.get("debit"), data.get("credit")
        if not data.get("account_code"):
            self.add_error("account_code", "Choose an account.")
        if debit and credit:
            self.add_error("credit", "A line is a debit or a credit, not both.")
        elif not debit and not credit:
            self.add_error("debit", "Enter a debit or a credit.")
        data["tracking"] = [
            {"TrackingCategoryID": category, "TrackingOptionID": data[f"tracking_{n}"]}
            for n, category in enumerate(self.categories)
            if data.get(f"tracking_{n}")
        ]
        return data


class DocumentHeaderForm(forms.Form):
    """The head of a credit note or a quote, on the invoice editor's lines: the contact, the
    date (and a quote's expiry and title), the reference, the currency and how amounts treat
    tax. A credit note also says whose it is: a customer's or a supplier's."""

    type = forms.ChoiceField(
        label="Type",
        choices=[("ACCRECCREDIT", "Sales credit note"), ("ACCPAYCREDIT", "Supplier credit")],
    )
    contact_name = forms.CharField(
        label="Contact", max_length=255, required=False, widget=ContactPicker()
    )
    contact = forms.CharField(max_length=36, required=False, widget=forms.HiddenInput)
    date = forms.DateField(widget=DATE)
    due_date = forms.DateField(label="Expires", required=False, widget=DATE)
    title = forms.CharField(label="Title", max_length=100, required=False)
    reference = forms.CharField(max_length=255, required=False)
    currency_code = forms.ChoiceField(label="Currency")
    line_amount_types = forms.ChoiceField(label="Amounts are", choices=AMOUNT_TYPES)
    seen = SeenField()

    def __init__(
        self,
        *args: Any,
        quote: bool,
        contacts: Callable[[str, str], list[tuple[str, str]]],
        currencies: list[Any],
        options_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.find_contacts = contacts
        for name in ("type",) if quote else ("due_date", "title"):
            del self.fields[name]
        picker = self.fields["contact_name"].widget
        assert isinstance(picker, ContactPicker)
        picker.picker_attrs(options_url, "contact-options")
        currency = self.fields["currency_code"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [(c.code, f"{c.code} {c.description}".strip()) for c in currencies]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        resolve_contact(self, data, self.find_contacts)
        if data.get("date") and data.get("due_date") and data["due_date"] < data["date"]:
            self.add_error("due_date", "A quote cannot expire before its date.")
        return data
