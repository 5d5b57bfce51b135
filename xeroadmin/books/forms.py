from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from xeroadmin.books import words
from xeroadmin.books.models import Invoice
from xeroadmin.books.selectors import AGE_FILTERS, SORTS, InvoiceFilters
from xeroadmin.xero.dates import parse_datetime

STATUS_TABS = [("", "All"), *words.DOCUMENT.items()]


# The largest id a database column holds: a longer number in a URL is an error, not a crash.
LARGEST_ID = 2**63 - 1


def seen_at(text: object) -> datetime | None:
    """When the page's copy of a record was loaded, from its hidden `seen` value (None when
    missing or unreadable): a write checks that Xero's record has not changed since."""
    return parse_datetime(text)


class SeenField(forms.Field):
    """The hidden `seen` value of an edit form, cleaned to a datetime (see `seen_at`)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> datetime | None:
        return seen_at(value)


class InvoiceFilterForm(forms.Form):
    """The invoice list's filters, all in the URL (so Back and bookmarks work)."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=STATUS_TABS)
    type = forms.ChoiceField(
        required=False, choices=[("", "Sales and bills"), *Invoice.Type.choices], label="Type"
    )
    contact = forms.IntegerField(
        required=False, min_value=1, max_value=LARGEST_ID, widget=forms.HiddenInput
    )
    date_from = forms.DateField(
        required=False,
        label="Date from",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False,
        label="Date to",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    due_from = forms.DateField(
        required=False,
        label="Due from",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    due_to = forms.DateField(
        required=False,
        label="Due to",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")
    age = forms.ChoiceField(
        required=False, choices=[("", "Any"), *AGE_FILTERS.items()], label="Ageing"
    )
    as_of = forms.DateField(required=False, label="Aged as of", widget=forms.HiddenInput)
    tracking = forms.ChoiceField(required=False, label="Tracking")
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])
    page = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)

    DATE_FIELDS = ("date_from", "date_to", "due_from", "due_to")

    def __init__(self, *args: Any, tracking: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tracking"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any tracking"), *tracking]

    def date_fields(self, filters: InvoiceFilters) -> list[tuple[str, str, date | None]]:
        """(name, label, valid value) of each date filter, for the Dates menu."""
        return [(n, str(self.fields[n].label), getattr(filters, n)) for n in self.DATE_FIELDS]

    def filters(self) -> InvoiceFilters:
        """The valid filters; a malformed one is dropped (and its error shown), not a 500."""
        data: dict[str, Any] = (
            self.cleaned_data
            if self.is_valid()
            else {name: value for name, value in getattr(self, "cleaned_data", {}).items()}
        )
        return InvoiceFilters(
            status=data.get("status") or "",
            type=data.get("type") or "",
            contact=data.get("contact"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            overdue=bool(data.get("overdue")),
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "-date",
            age=data.get("age") or "",
            as_of=data.get("as_of"),
            tracking=data.get("tracking") or "",
        )


class PaymentFilterForm(forms.Form):
    """The payments list's filters, in the URL; a malformed one is dropped and said so."""

    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "All"), ("AUTHORISED", "Applied"), ("DELETED", "Reversed")],
    )
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    # The URL's short names (`?from=&to=`) for the date fields.
    PARAMS = {"status": "status", "from": "date_from", "to": "date_to"}

    @classmethod
    def from_query(cls, query: Any) -> PaymentFilterForm:
        return cls({field: query.get(param, "") for param, field in cls.PARAMS.items()})

    def filters(self) -> dict[str, Any]:
        """The valid filters (all of them when the form is valid)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}

    def problems(self) -> list[str]:
        """Each filter left out, with why: "From (Enter a valid date.)"."""
        return [
            f"{self.fields[name].label or name} ({' '.join(str(e) for e in errors)})"
            for name, errors in self.errors.items()
        ]


class PaymentForm(forms.Form):
    account = forms.ChoiceField(label="Paid into")
    paid_on = forms.DateField(
        label="Date paid", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    amount = forms.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, accounts: list[Any], due: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.xero_id, f"{a.code} {a.name}".strip()) for a in accounts]
        amount = self.fields["amount"]
        assert isinstance(amount, forms.DecimalField)
        amount.help_text = f"At most {due:,.2f}, what is due."
        amount.validators.append(MaxValueValidator(due))


# The addresses and phones a contact's form edits: Xero's type, our prefix, the legend.
ADDRESS_TYPES = (("POBOX", "postal", "Postal address"), ("STREET", "street", "Street address"))
ADDRESS_PARTS = (
    ("AddressLine1", "line1", "Address line 1", 500),
    ("AddressLine2", "line2", "Address line 2", 500),
    ("City", "city", "Town or city", 255),
    ("Region", "region", "Region", 255),
    ("PostalCode", "postcode", "Postal code", 50),
    ("Country", "country", "Country", 50),
)
PHONE_TYPES = (("DEFAULT", "phone", "Phone"), ("MOBILE", "mobile", "Mobile"))
PHONE_PARTS = (
    ("PhoneCountryCode", "country", "Country code", 20),
    ("PhoneAreaCode", "area", "Area code", 10),
    ("PhoneNumber", "number", "Number", 50),
)
CONTACT_GROUPS = (
    *((prefix, legend, ADDRESS_PARTS) for _, prefix, legend in ADDRESS_TYPES),
    *((prefix, legend, PHONE_PARTS) for _, prefix, legend in PHONE_TYPES),
)


class ContactForm(forms.Form):
    name = forms.CharField(max_length=255)
    first_name = forms.CharField(max_length=255, required=False, label="First name")
    last_name = forms.CharField(max_length=255, required=False, label="Last name")
    # Xero is the judge of what an address it accepts looks like; its message shows here.
    email = forms.CharField(max_length=255, required=False, label="E-mail address")
    contact_number = forms.CharField(
        max_length=50, required=False, label="Contact number", help_text="Your own id for it."
    )
    seen = SeenField()

    DETAILS = ("name", "first_name", "last_name", "email", "contact_number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prefix, _, parts in CONTACT_GROUPS:
            for _, part, label, length in parts:
                self.fields[f"{prefix}_{part}"] = forms.CharField(
                    max_length=length, required=False, label=label
                )

    @staticmethod
    def initial_for(contact: Any) -> dict[str, str]:
        """The form's starting values: the contact's details, addresses and phones."""
        initial = {field: getattr(contact, field) for field in ContactForm.DETAILS}
        initial["seen"] = contact.updated_utc.isoformat() if contact.updated_utc else ""
        raw = contact.raw or {}
        for key, kind, types, parts in (
            ("Addresses", "AddressType", ADDRESS_TYPES, ADDRESS_PARTS),
            ("Phones", "PhoneType", PHONE_TYPES, PHONE_PARTS),
        ):
            prefixes = {xero: prefix for xero, prefix, _ in types}
            for entry in raw.get(key) or []:
                prefix = prefixes.get(str(entry.get(kind))) if isinstance(entry, dict) else None
                if prefix:
                    for xero, part, _, _ in parts:
                        initial[f"{prefix}_{part}"] = str(entry.get(xero) or "")
        return initial

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the fieldsets the page shows."""
        found = [("Name and e-mail", [self[field] for field in self.DETAILS])]
        for prefix, legend, parts in CONTACT_GROUPS:
            found.append((legend, [self[f"{prefix}_{part}"] for _, part, _, _ in parts]))
        return found

    def details(self) -> dict[str, str]:
        return {field: self.cleaned_data[field] for field in self.DETAILS}

    def addresses(self) -> list[dict[str, str]]:
        return self._entries("AddressType", ADDRESS_TYPES, ADDRESS_PARTS)

    def phones(self) -> list[dict[str, str]]:
        return self._entries("PhoneType", PHONE_TYPES, PHONE_PARTS)

    def _entries(self, kind: str, types: Any, parts: Any) -> list[dict[str, str]]:
        # Every type is sent, blank ones too: that is how a cleared address is cleared in Xero.
        return [
            {
                kind: xero,
                **{name: self.cleaned_data[f"{prefix}_{part}"] for name, part, _, _ in parts},
            }
            for xero, prefix, _ in types
        ]


class ItemForm(forms.Form):
    code = forms.CharField(max_length=30)
    name = forms.CharField(max_length=50, required=False)
    description = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit_price = forms.DecimalField(
        max_digits=18, decimal_places=4, required=False, label="Sale price"
    )
    account_code = forms.ChoiceField(required=False, label="Sales account")
    tax_type = forms.ChoiceField(required=False, label="Tax rate")
    seen = SeenField()

    def __init__(
        self, *args: Any, accounts: list[Any], tax_rates: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["account_code"]
        assert isinstance(account, forms.ChoiceField)
        account.choices = [("", "—"), *((a.code, str(a)) for a in accounts if a.code)]
        tax = self.fields["tax_type"]
        assert isinstance(tax, forms.ChoiceField)
        tax.choices = [("", "—"), *((t.tax_type, str(t)) for t in tax_rates)]


ACCOUNT_TYPES = [
    ("REVENUE", "Revenue"), ("SALES", "Sales"), ("OTHERINCOME", "Other income"),
    ("EXPENSE", "Expense"), ("DIRECTCOSTS", "Direct costs"), ("OVERHEADS", "Overheads"),
    ("CURRENT", "Current asset"), ("FIXED", "Fixed asset"), ("NONCURRENT", "Non-current asset"),
    ("PREPAYMENT", "Prepayment"), ("INVENTORY", "Inventory"), ("CURRLIAB", "Current liability"),
    ("LIABILITY", "Liability"), ("TERMLIAB", "Non-current liability"), ("EQUITY", "Equity"),
    ("BANK", "Bank"),
]  # fmt: skip


class AccountForm(forms.Form):
    code = forms.CharField(max_length=10)
    name = forms.CharField(max_length=150)
    type = forms.ChoiceField(choices=ACCOUNT_TYPES)
    tax_type = forms.ChoiceField(required=False, label="Tax rate")
    seen = SeenField()

    def __init__(
        self, *args: Any, tax_rates: list[Any], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        tax = self.fields["tax_type"]
        assert isinstance(tax, forms.ChoiceField)
        tax.choices = [("", "—"), *((t.tax_type, str(t)) for t in tax_rates)]
        if editing:
            self.fields["type"].disabled = True
            self.fields["type"].help_text = "An account's type cannot change once it is created."


class ContactPicker(forms.TextInput):
    """A text box that searches the organisation's contacts as the user types and offers them
    in a list (see `templates/partials/combobox.html`); the chosen contact's id goes in the
    form's hidden `contact`. Without JavaScript, a contact's exact name typed in full is
    enough."""

    def __init__(self) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false"})

    def picker_attrs(self, options_url: str, listbox: str) -> None:
        self.attrs.update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox,
                "data-combobox": "contact",
                "hx-get": options_url,
                "hx-trigger": "input changed delay:150ms, focus",
                "hx-target": f"#{listbox}",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "hx-include": "#invoice-form [name='type']",
            }
        )


def resolve_contact(
    form: forms.Form,
    data: dict[str, Any],
    find: Callable[[str, str], list[tuple[str, str]]],
) -> None:
    """The contact a picker's form names: the one chosen from its list (`contact`), or the one
    active contact whose name was typed in full (`contact_name`); otherwise an error that
    says which it was."""
    chosen, typed = data.get("contact", ""), (data.get("contact_name") or "").strip()
    found = find(chosen, typed) if chosen or typed else []
    if not chosen and not typed:
        form.add_error("contact_name", "Choose a contact.")
    elif len(found) == 1:
        data["contact"], data["contact_name"] = found[0]
    elif chosen and not typed:
        form.add_error("contact_name", "That contact is no longer active; choose another.")
    elif found:
        form.add_error(
            "contact_name",
            f"More than one contact is called “{typed}”; choose one from the list.",
        )
    else:
        form.add_error(
            "contact_name",
            f"No active contact is called “{typed}”; choose one "
            "from the list, or add the contact first.",
        )


class InvoiceHeaderForm(forms.Form):
    type = forms.ChoiceField(choices=Invoice.Type.choices, label="Type")
    contact_name = forms.CharField(
        label="Contact", max_length=255, required=False, widget=ContactPicker()
    )
    contact = forms.CharField(max_length=36, required=False, widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    due_date = forms.DateField(
        label="Due date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reference = forms.CharField(max_length=255, required=False)
    currency_code = forms.ChoiceField(label="Currency")
    line_amount_types = forms.ChoiceField(
        label="Amounts are",
        choices=[
            ("Exclusive", "Tax exclusive"),
            ("Inclusive", "Tax inclusive"),
            ("NoTax", "No tax"),
        ],
    )
    seen = SeenField()

    def __init__(
        self,
        *args: Any,
        contacts: Callable[[str, str], list[tuple[str, str]]],
        currencies: list[Any],
        options_url: str = "",
        **kwargs: Any,
    ) -> None:
        """`contacts(xero_id, name)` finds the active contacts with that id, or else with
        that exact name (any case), as (id, name) pairs: the picker's choice is checked, and
        a name typed without the picker is resolved."""
        super().__init__(*args, **kwargs)
        self.find_contacts = contacts
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
            self.add_error("due_date", "The due date cannot be before the invoice date.")
        return data


class InvoiceLineForm(forms.Form):
    item_code = forms.ChoiceField(required=False, label="Item")
    description = forms.CharField(max_length=4000, required=False)
    quantity = forms.DecimalField(max_digits=18, decimal_places=4, initial=1)
    unit_amount = forms.DecimalField(max_digits=18, decimal_places=4, label="Unit price")
    account_code = forms.ChoiceField(label="Account")
    tax_type = forms.ChoiceField(label="Tax")

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("item_code", "account_code", "tax_type"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices[name]
        self.fits: dict[str, set[str]] = choices.get("fits", {})
        # One choice per active tracking category (Xero allows two), its options to pick from.
        self.categories: list[str] = []
        for index, (category, name, options) in enumerate(choices.get("tracking", [])):
            self.categories.append(category)
            self.fields[f"tracking_{index}"] = forms.ChoiceField(
                required=False, label=name, choices=[("", "—"), *options]
            )
        account = self.initial.get("account_code")
        if not self.is_bound and account in self.fits:
            # Offer only the tax rates this line's account can take.
            tax = self.fields["tax_type"]
            assert isinstance(tax, forms.ChoiceField)
            tax.choices = [c for c in choices["tax_type"] if c[0] in self.fits[account]]

    def tracking_fields(self) -> list[forms.BoundField]:
        return [self[f"tracking_{n}"] for n in range(len(self.categories))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["tracking"] = [
            {"TrackingCategoryID": category, "TrackingOptionID": data[f"tracking_{n}"]}
            for n, category in enumerate(self.categories)
            if data.get(f"tracking_{n}")
        ]
        if not data.get("description") and not data.get("item_code"):
            self.add_error("description", "Describe the line, or pick an item.")
        account, tax = data.get("account_code"), data.get("tax_type")
        if account and tax and account in self.fits and tax not in self.fits[account]:
            # Xero would refuse it; say so before anything is sent.
            self.add_error("tax_type", f"This tax rate cannot be used with account {account}.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        max_length=2500, widget=forms.Textarea(attrs={"rows": 2}), label="Add a note"
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Attach a file", help_text="Up to 10 MB; a file of the same name is replaced."
    )


class RawRequestForm(forms.Form):
    method = forms.ChoiceField(choices=[(m, m) for m in ("GET", "POST", "PUT", "DELETE")])
    path = forms.CharField(
        max_length=500, help_text="Under /api.xro/2.0/, e.g. Invoices/… or Organisation"
    )
    query = forms.CharField(
        max_length=2000, required=False, help_text='e.g. where=Status=="DRAFT"&page=1'
    )
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="JSON, for POST and PUT",
    )


class EmployeeForm(forms.Form):
    """An employee in the organisation's Xero Payroll: what every region's payroll needs, and
    the region's own (Australia's state, the UK's National Insurance number)."""

    title = forms.CharField(max_length=20, required=False)
    first_name = forms.CharField(label="First name", max_length=35)
    last_name = forms.CharField(label="Last name", max_length=35)
    email = forms.EmailField(label="E-mail", required=False)
    phone = forms.CharField(max_length=50, required=False)
    gender = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("F", "Female"),
            ("M", "Male"),
            ("I", "Non-binary"),
            ("N", "Not stated"),
        ],
    )
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    start_date = forms.DateField(
        label="Start date",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    line1 = forms.CharField(label="Address", max_length=255)
    line2 = forms.CharField(label="Address line 2", max_length=255, required=False)
    city = forms.CharField(label="City", max_length=100)
    region = forms.ChoiceField(label="State", required=False, choices=[])
    postcode = forms.CharField(label="Postcode", max_length=20)
    national_insurance = forms.CharField(
        label="National Insurance number", max_length=20, required=False
    )

    def __init__(self, *args: Any, country: str, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country, self.today = country.upper(), today
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        if self.country == "AU":
            region.choices = [
                ("", "—"),
                *((s, s) for s in ("ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA")),
            ]
            region.required = True
        else:
            del self.fields["region"]
        if self.country == "GB":
            self.fields["gender"].required = True
        else:
            del self.fields["national_insurance"]

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return born
