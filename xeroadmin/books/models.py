"""The local mirror of each organisation's books, filled by sync and kept fresh by webhooks.

Every mirrored record keeps Xero's id, its `UpdatedDateUTC` and Xero's JSON as received (for
the fields not modelled). Reads come from here; writes go to Xero first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower


def money_field() -> models.DecimalField[Decimal, Decimal]:
    """An amount in the document's currency, to the cent."""
    return models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))


def format_percent(rate: Decimal) -> str:
    """15, 12.5, 0: never 15.0000 or 2E+1."""
    text = f"{Decimal(rate).quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Mirrored(models.Model):
    # No index of its own: the unique (tenant, xero_id) and the list indexes all start with it,
    # and every index is paid for on each of the thousands of rows a sync writes.
    tenant = models.ForeignKey(
        "connections.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    xero_id = models.CharField(max_length=36)
    updated_utc = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(encoder=DjangoJSONEncoder, default=dict, blank=True)
    synced_at = models.DateTimeField(auto_now=True)
    # Why some of Xero's values could not be kept in their columns (a number beyond what they
    # hold): the row is stored with those values at 0 and Xero's record whole in `raw`.
    problem = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True


class Currency(models.Model):
    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=3)
    description = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "code"], name="books_currency_unique")
        ]

    def __str__(self) -> str:
        return self.code


class TaxRate(models.Model):
    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    tax_type = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=9, decimal_places=4, default=Decimal("0"))
    status = models.CharField(max_length=20, blank=True)
    raw = models.JSONField(encoder=DjangoJSONEncoder, default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "tax_type"], name="books_taxrate_unique")
        ]

    def __str__(self) -> str:
        """As Xero shows it: "GST on Income 15%", or just the name when it says the rate."""
        percent = f"{format_percent(self.rate)}%"
        return self.name if percent in self.name else f"{self.name} {percent}".strip()


class Account(Mirrored):
    code = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=150)
    type = models.CharField(max_length=30)
    account_class = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, default="ACTIVE")
    tax_type = models.CharField(max_length=50, blank=True)
    enable_payments = models.BooleanField(default=False)
    system_account = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering: ClassVar = ["code", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_account_unique")
        ]

    def __str__(self) -> str:
        """As Xero's pickers show it: "200 · Sales" (the name alone when it has no code)."""
        return f"{self.code} · {self.name}" if self.code else self.name


class Contact(Mirrored):
    name = models.CharField(max_length=255)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    contact_number = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, default="ACTIVE")
    is_customer = models.BooleanField(default=False)
    is_supplier = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_contact_unique")
        ]
        indexes: ClassVar = [
            models.Index("tenant", Lower("name"), name="books_contact_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Item(Mirrored):
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=50, blank=True)
    description = models.TextField(blank=True)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    account_code = models.CharField(max_length=10, blank=True)
    tax_type = models.CharField(max_length=50, blank=True)
    is_sold = models.BooleanField(default=True)
    is_purchased = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Invoice(Mirrored):
    class Type(models.TextChoices):
        SALES = "ACCREC", "Sales invoice"
        BILL = "ACCPAY", "Bill"

    type = models.CharField(max_length=10, choices=Type.choices)
    number = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    contact_xero_id = models.CharField(max_length=36, blank=True)
    contact_name = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20)
    line_amount_types = models.CharField(max_length=20, blank=True)
    currency_code = models.CharField(max_length=3, blank=True)
    # Units of this currency per unit of the base currency (Xero's CurrencyRate; 1 at home).
    currency_rate = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal("1"))
    subtotal = money_field()
    total_tax = money_field()
    total = money_field()
    amount_due = money_field()
    amount_paid = money_field()
    amount_credited = money_field()
    sent_to_contact = models.BooleanField(default=False)
    has_attachments = models.BooleanField(default=False)
    fully_paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-date", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_invoice_unique")
        ]
        indexes: ClassVar = [
            models.Index(fields=["tenant", "status", "-date"], name="books_invoice_status"),
            models.Index(fields=["tenant", "type", "status", "due_date"], name="books_invoice_due"),
            models.Index(fields=["tenant", "-date"], name="books_invoice_date"),
            models.Index("tenant", Lower("number"), name="books_invoice_number"),
            models.Index("tenant", Lower("reference"), name="books_invoice_reference"),
            # Searching every organisation for an exact amount.
            models.Index(fields=["total"], name="books_invoice_total"),
        ]

    def __str__(self) -> str:
        return self.number or self.xero_id


class TrackingCategory(models.Model):
    """A tracking category of an organisation (Region, Department), archived ones included;
    the list is replaced whole on each read (Xero gives no change marker)."""

    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    xero_id = models.CharField(max_length=36)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_tracking_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TrackingOption(models.Model):
    category = models.ForeignKey(TrackingCategory, on_delete=models.CASCADE, related_name="options")
    xero_id = models.CharField(max_length=36)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class LineFields(models.Model):
    """One line of a document as Xero gives it: invoices' and the other documents' alike."""

    position = models.PositiveIntegerField()
    line_item_id = models.CharField(max_length=36, blank=True)
    description = models.TextField(blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    unit_amount = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    item_code = models.CharField(max_length=30, blank=True)
    account_code = models.CharField(max_length=10, blank=True)
    tax_type = models.CharField(max_length=50, blank=True)
    tax_amount = money_field()
    line_amount = money_field()
    discount_rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    # As Xero gives it: [{"Name": "Region", "Option": "North", ...ids}], two at most.
    tracking = models.JSONField(encoder=DjangoJSONEncoder, default=list, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.description[:50]


class InvoiceLine(LineFields):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering: ClassVar = ["invoice", "position"]


class Payment(Mirrored):
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    invoice_xero_id = models.CharField(max_length=36, blank=True)
    date = models.DateField(null=True, blank=True)
    amount = money_field()
    reference = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, default="AUTHORISED")
    payment_type = models.CharField(max_length=30, blank=True)
    account_code = models.CharField(max_length=10, blank=True)
    account_name = models.CharField(max_length=150, blank=True)
    is_reconciled = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["-date", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_payment_unique")
        ]
        indexes: ClassVar = [models.Index(fields=["tenant", "-date"], name="books_payment_date")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.date}"


class BooksVersion(models.Model):
    """A number that goes up with every write to an organisation's invoices or payments in the
    mirror (in the same transaction): what is worked out from them is kept under it."""

    tenant = models.OneToOneField(
        "connections.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    invoices = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"invoices of {self.tenant_id} at version {self.invoices}"


class SyncState(models.Model):
    """How far each resource of an organisation has been synced (for If-Modified-Since)."""

    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=30)
    modified_since = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    # When Xero was last asked for it (the schedule of the incremental passes counts from here).
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "resource"], name="books_syncstate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource} of {self.tenant_id} since {self.modified_since}"


class SyncJob(models.Model):
    """One sync of one organisation: durable, resumable, with a heartbeat for the sweeper."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial sync"
        INCREMENTAL = "incremental", "Incremental sync"
        FULL = "full", "Full check"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    tenant = models.ForeignKey(
        "connections.Tenant", on_delete=models.CASCADE, related_name="sync_jobs"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # Where it is: the resource being synced and the next page to fetch (for resuming).
    resource = models.CharField(max_length=30, blank=True)
    page = models.PositiveIntegerField(default=1)
    progress = models.JSONField(default=dict, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["status", "heartbeat_at"], name="books_syncjob_sweep"),
            models.Index(fields=["tenant", "-created_at"], name="books_syncjob_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.tenant_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class RecordPanel(models.Model):
    """A record's History or Attachments list as Xero last gave it, so that a page view costs
    no call. It stands while the record's `updated_utc` in the mirror is the one it was read
    with: any change that reaches the mirror (sync, webhook, our own write) makes it stale, and
    our own notes and uploads forget it outright."""

    class Panel(models.TextChoices):
        HISTORY = "history", "History and notes"
        ATTACHMENTS = "attachments", "Attachments"

    tenant = models.ForeignKey(
        "connections.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Xero's path of the record, e.g. "Invoices/<InvoiceID>".
    record_path = models.CharField(max_length=80)
    panel = models.CharField(max_length=20, choices=Panel.choices)
    entries = models.JSONField(encoder=DjangoJSONEncoder, default=list, blank=True)
    record_updated = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "record_path", "panel"], name="books_recordpanel_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} of {self.record_path}"


class Document(Mirrored):
    """A credit note, quote, bank transaction, manual journal, prepayment or overpayment: the
    record kinds beyond invoices, kept in one table so that one list, detail and sync serve
    them all (`books/kinds.py` says what differs between them)."""

    class Kind(models.TextChoices):
        CREDIT_NOTE = "credit_note", "Credit note"
        QUOTE = "quote", "Quote"
        BANK_TRANSACTION = "bank_transaction", "Bank transaction"
        MANUAL_JOURNAL = "manual_journal", "Manual journal"
        PREPAYMENT = "prepayment", "Prepayment"
        OVERPAYMENT = "overpayment", "Overpayment"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    type = models.CharField(max_length=30, blank=True)  # ACCRECCREDIT, SPEND, RECEIVE-PREPAYMENT…
    number = models.CharField(max_length=255, blank=True)
    # The reference; a journal's narration; a quote's title.
    reference = models.CharField(max_length=255, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    contact_xero_id = models.CharField(max_length=36, blank=True)
    contact_name = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)  # a quote's expiry
    status = models.CharField(max_length=20)
    line_amount_types = models.CharField(max_length=20, blank=True)
    currency_code = models.CharField(max_length=3, blank=True)
    currency_rate = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal("1"))
    subtotal = money_field()
    total_tax = money_field()
    total = money_field()
    # Credit not yet allocated (credit notes, prepayments, overpayments); 0 for the others.
    remaining = money_field()
    bank_account_code = models.CharField(max_length=10, blank=True)
    bank_account_name = models.CharField(max_length=150, blank=True)
    is_reconciled = models.BooleanField(default=False)
    has_attachments = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["-date", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_document_unique")
        ]
        # Few indexes: a sync writes thousands of rows a page and pays for each (bench/sync_bank.py);
        # search reads through `contains`, which no b-tree index serves.
        indexes: ClassVar = [
            models.Index(fields=["tenant", "kind", "-date"], name="books_document_date"),
            models.Index(
                fields=["tenant", "kind", "status", "-date"], name="books_document_status"
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.reference or self.xero_id


class DocumentLine(LineFields):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering: ClassVar = ["document", "position"]


class Allocation(models.Model):
    """Credit from a credit note, prepayment or overpayment applied to an invoice."""

    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    xero_id = models.CharField(max_length=36)
    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocations"
    )
    invoice_xero_id = models.CharField(max_length=36, blank=True)
    amount = money_field()
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["date", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_allocation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.date}"


class PayrollState(models.Model):
    """Whether an organisation has Xero Payroll, which of Xero's payroll APIs it is reached
    through, and when its employees were last read."""

    tenant = models.OneToOneField(
        "connections.Tenant", on_delete=models.CASCADE, related_name="payroll_state"
    )
    api = models.CharField(max_length=32, blank=True)  # endpoints.PAYROLL_AU or PAYROLL_V2
    has_payroll = models.BooleanField(null=True)  # None: not asked yet
    read_at = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True)  # why not, in Xero's words

    def __str__(self) -> str:
        return f"Payroll of {self.tenant_id}: {self.has_payroll}"


class Employee(models.Model):
    """An employee in the organisation's Xero Payroll, in one shape whatever the region."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"

    tenant = models.ForeignKey(
        "connections.Tenant", on_delete=models.CASCADE, related_name="employees"
    )
    xero_id = models.CharField(max_length=36)
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    address = models.JSONField(
        default=dict, blank=True
    )  # line1, line2, city, region, postcode, country
    national_insurance = models.CharField(max_length=20, blank=True)  # UK
    updated_in_xero = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["last_name", "first_name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "xero_id"], name="books_employee_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
