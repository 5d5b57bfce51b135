"""Forms of the other record kinds' pages: a list's filters, and allocating credit to invoices
(from the credit's page or the invoice's)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from xeroadmin.books import document_selectors as selectors
from xeroadmin.books.document_selectors import SORTS, DocumentFilters
from xeroadmin.books.document_services import credit_guard
from xeroadmin.books.forms import SeenField
from xeroadmin.books.kinds import Kind
from xeroadmin.books.models import Document, Invoice
from xeroadmin.connections.models import Tenant


class DocumentFilterForm(forms.Form):
    """A list's filters, in the URL; a malformed one is dropped and said so."""

    status = forms.CharField(required=False, label="Status")
    type = forms.ChoiceField(required=False, label="Type")
    q = forms.CharField(required=False, label="Search", max_length=100)
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    tracking = forms.ChoiceField(required=False, label="Tracking")
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    PARAMS = {
        "status": "status",
        "type": "type",
        "q": "q",
        "from": "date_from",
        "to": "date_to",
        "tracking": "tracking",
        "sort": "sort",
    }

    def __init__(self, query: Any, *, kind: Kind, options: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__({field: query.get(param, "") for param, field in self.PARAMS.items()})
        type_field = self.fields["type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [("", "Any type"), *kind.types]
        tracking = self.fields["tracking"]
        assert isinstance(tracking, forms.ChoiceField)
        tracking.choices = [("", "Any tracking"), *options]

    def filters(self) -> DocumentFilters:
        """The valid filters (all of them when the form is valid)."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
        return DocumentFilters(**data)

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label or name} ({' '.join(str(e) for e in errors)})"
            for name, errors in self.errors.items()
        ]


class ShareForm(forms.Form):
    """Amounts to allocate, one field per candidate (`amount-<pk>`), and the date."""

    date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    seen = SeenField()

    def __init__(
        self, data: Any = None, *, candidates: Iterable[Invoice | Document], **kwargs: Any
    ):
        super().__init__(data, **kwargs)
        self.candidates = list(candidates)
        for candidate in self.candidates:
            self.fields[f"amount-{candidate.pk}"] = forms.DecimalField(
                required=False,
                min_value=Decimal("0"),
                max_digits=18,
                decimal_places=2,
                label=str(candidate),
            )

    def amounts(self) -> list[tuple[Invoice | Document, Decimal]]:
        """(candidate, amount) for each amount entered (valid form only)."""
        return [
            (c, self.cleaned_data[f"amount-{c.pk}"])
            for c in self.candidates
            if self.cleaned_data.get(f"amount-{c.pk}")
        ]

    def rows(self) -> list[tuple[str, str, Decimal, forms.BoundField]]:
        """(what, when, how much it can take or give, its amount field) per candidate."""
        rows = []
        for candidate in self.candidates:
            field = self[f"amount-{candidate.pk}"]
            if isinstance(candidate, Invoice):
                when = f"due {candidate.due_date:%-d %b %Y}" if candidate.due_date else ""
                rows.append((candidate.number or "Draft", when, candidate.amount_due, field))
            else:
                label = f"{candidate.get_kind_display()} {candidate.number}".strip()
                when = f"{candidate.date:%-d %b %Y}" if candidate.date else ""
                rows.append((label, when, candidate.remaining, field))
        return rows


def share_form_for(tenant: Tenant, document: Document, data: Any = None) -> ShareForm | None:
    """The form that allocates this credit to the contact's invoices, when it can be."""
    if credit_guard(document) is not None:
        return None
    invoices = list(selectors.invoices_to_credit(tenant=tenant, document=document)[:50])
    if not invoices:
        return None
    initial = {"date": timezone.localdate(), "seen": document.updated_utc}
    return ShareForm(data, candidates=invoices, initial=initial)


def credit_form_for(tenant: Tenant, invoice: Any, data: Any = None) -> ShareForm | None:
    """The form that applies the contact's credit to this invoice, when it has some."""
    if invoice.status != "AUTHORISED" or invoice.amount_due <= 0:
        return None
    credits = list(selectors.credits_for(tenant=tenant, invoice=invoice)[:20])
    if not credits:
        return None
    return ShareForm(data, candidates=credits, initial={"date": timezone.localdate()})
