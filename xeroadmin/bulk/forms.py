"""What a person chose for a bulk job: the action, and the records (ticked, an organisation's
list filter, needs-attention findings, or a filter across organisations)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from xeroadmin.books.access import organisation_for
from xeroadmin.books.forms import InvoiceFilterForm
from xeroadmin.books.models import Invoice
from xeroadmin.books.selectors import tracking_options
from xeroadmin.bulk import selection
from xeroadmin.bulk.models import BulkJob
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.access import visible_clients
from xeroadmin.tenancy.models import Membership

LARGEST_ID = 2**53
STATUSES = [
    ("", "Any status"),
    ("DRAFT", "Draft"),
    ("SUBMITTED", "Awaiting approval"),
    ("AUTHORISED", "Awaiting payment"),
]


class Ids(forms.TypedMultipleChoiceField):
    """Ticked ids: any whole numbers (which of them the member may act on is decided later)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, required=False, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() and 0 < int(value) < LARGEST_ID


class ChoiceForm(forms.Form):
    action = forms.ChoiceField(choices=BulkJob.Action.choices, label="What to do")
    source = forms.ChoiceField(
        choices=[(s, s) for s in ("ticks", "list", "findings", "filter")],
        widget=forms.HiddenInput,
    )
    invoice = Ids()
    contact = Ids()
    finding = Ids()
    # An organisation's invoice list, with its filters as they were (its query string).
    tenant = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
    filter = forms.CharField(required=False, max_length=2000)
    # Across organisations.
    status = forms.ChoiceField(required=False, choices=STATUSES, label="Status")
    type = forms.ChoiceField(
        required=False, choices=[("", "Sales and bills"), *Invoice.Type.choices], label="Type"
    )
    client = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Client")
    older_than = forms.IntegerField(
        required=False, min_value=0, max_value=36500, label="Dated more than (days ago)"
    )
    overdue_by = forms.IntegerField(
        required=False, min_value=0, max_value=36500, label="Overdue by more than (days)"
    )
    min_amount = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label="Total at least"
    )
    note = forms.CharField(
        required=False, max_length=2500, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
    )
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        clients = visible_clients(membership).order_by("name").values_list("pk", "name")
        self.client_choices: dict[int, str] = dict(clients)
        cast(forms.ChoiceField, self.fields["client"]).choices = [("", "Every client"), *clients]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        kind = "contact" if data.get("action") == BulkJob.Action.ARCHIVE else "invoice"
        data["kind"] = kind
        if source == "ticks" and not data.get(kind):
            raise forms.ValidationError(f"Tick at least one {kind} first.")
        if source == "findings" and not data.get("finding"):
            raise forms.ValidationError("Tick at least one finding first.")
        if source in ("list", "filter") and kind == "contact":
            raise forms.ValidationError("Contacts are archived from ticked rows; tick them first.")
        if source == "list" and not data.get("tenant"):
            raise forms.ValidationError("Which organisation's list is this?")
        return data

    def back_url(self) -> str:
        """Where the person came from (a path of this site), to go back to on an error."""
        back = (self.data.get("back") or "")[:2000]
        return back if url_has_allowed_host_and_scheme(back, None) and back.startswith("/") else ""

    def records(self) -> tuple[QuerySet[Any], str]:
        """The records chosen, of organisations the member may see, and the choice in words."""
        data, membership = self.cleaned_data, self.membership
        source, kind = data["source"], data["kind"]
        if source == "ticks":
            records = selection.by_ticks(membership, kind, data[kind])
            return records, f"{len(data[kind]):,} ticked"
        if source == "findings":
            records = selection.by_findings(membership, kind, data["finding"])
            return records, "Chosen from the needs-attention queue"
        if source == "list":
            tenant: Tenant = organisation_for(membership, data["tenant"])
            # The list's own choices, tracking included, so that "all N" is what it showed.
            listed = InvoiceFilterForm(
                QueryDict(data.get("filter") or ""), tracking=tracking_options(tenant)
            )
            return selection.by_list_filter(tenant, listed.filters()), f"From {tenant.name}'s list"
        across = selection.Across(
            status=data.get("status") or "",
            type=data.get("type") or "",
            client=data.get("client"),
            older_than=data.get("older_than"),
            overdue_by=data.get("overdue_by"),
            min_amount=data.get("min_amount"),
        )
        client = self.client_choices.get(across.client, "") if across.client else ""
        words = across.words() + (f", {client}" if client else ", every client")
        return selection.by_filter(membership, across), words
