"""The record kinds beyond invoices, and what differs between them: where Xero keeps each, what
its id and number are called, its statuses, and what can be done with it here. One list, one
detail page and one sync serve them all from this table."""

from __future__ import annotations

from dataclasses import dataclass

from xeroadmin.books.models import Document

K = Document.Kind


@dataclass(frozen=True)
class Kind:
    key: str  # Document.Kind
    resource: str  # Xero's endpoint and envelope key
    id_field: str
    slug: str  # in URLs: /credit-notes/
    singular: str
    plural: str
    tabs: tuple[tuple[str, str], ...]  # (status, label) of the list's tabs
    number_field: str = ""
    lines_field: str = "LineItems"
    credit: bool = False  # allocated to invoices
    webhook: str = ""  # Xero's webhook category, when it sends one
    page_size: int | None = None  # what Xero returns a page where it takes no pageSize
    # Minutes between scheduled reads while the organisation's webhooks are healthy, and while
    # they are not: kinds Xero sends webhooks for are read rarely while those arrive; quotes
    # and journals change less often than money does (bench/sync_budget.py counts the calls).
    every: tuple[int, int] = (360, 240)
    types: tuple[tuple[str, str], ...] = ()  # (Xero's type, the word for it here)

    @property
    def label(self) -> str:
        return self.plural.lower()

    def page(self, what: str) -> str:
        """The URL name of one of its pages: `page("detail")` is "credit-note-detail"."""
        return f"{self.slug[:-1]}-{what}"

    def type_word(self, value: str) -> str:
        return dict(self.types).get(value, value.title())


SALES_OR_PURCHASE = (("ACCRECCREDIT", "Sales credit note"), ("ACCPAYCREDIT", "Supplier credit"))
RECEIVE_OR_SPEND = (("RECEIVE", "Receive money"), ("SPEND", "Spend money"))

KINDS: tuple[Kind, ...] = (
    Kind(
        K.CREDIT_NOTE,
        "CreditNotes",
        "CreditNoteID",
        "credit-notes",
        "Credit note",
        "Credit notes",
        (
            ("", "All"),
            ("DRAFT", "Draft"),
            ("AUTHORISED", "To allocate"),
            ("PAID", "Allocated"),
            ("VOIDED", "Voided"),
        ),
        number_field="CreditNoteNumber",
        credit=True,
        webhook="CREDITNOTE",
        every=(360, 30),
        types=SALES_OR_PURCHASE,
    ),
    Kind(
        K.QUOTE,
        "Quotes",
        "QuoteID",
        "quotes",
        "Quote",
        "Quotes",
        (
            ("", "All"),
            ("DRAFT", "Draft"),
            ("SENT", "Sent"),
            ("ACCEPTED", "Accepted"),
            ("DECLINED", "Declined"),
            ("INVOICED", "Invoiced"),
        ),
        number_field="QuoteNumber",
        page_size=100,
    ),
    Kind(
        K.BANK_TRANSACTION,
        "BankTransactions",
        "BankTransactionID",
        "bank-transactions",
        "Bank transaction",
        "Bank transactions",
        (("", "All"), ("AUTHORISED", "Entered"), ("DELETED", "Deleted")),
        every=(120, 120),
        types=(
            *RECEIVE_OR_SPEND,
            ("RECEIVE-PREPAYMENT", "Prepayment received"),
            ("SPEND-PREPAYMENT", "Prepayment made"),
            ("RECEIVE-OVERPAYMENT", "Overpayment received"),
            ("SPEND-OVERPAYMENT", "Overpayment made"),
            ("RECEIVE-TRANSFER", "Transfer in"),
            ("SPEND-TRANSFER", "Transfer out"),
        ),
    ),
    Kind(
        K.MANUAL_JOURNAL,
        "ManualJournals",
        "ManualJournalID",
        "manual-journals",
        "Manual journal",
        "Manual journals",
        (("", "All"), ("DRAFT", "Draft"), ("POSTED", "Posted"), ("VOIDED", "Voided")),
        lines_field="JournalLines",
    ),
    Kind(
        K.PREPAYMENT,
        "Prepayments",
        "PrepaymentID",
        "prepayments",
        "Prepayment",
        "Prepayments",
        (("", "All"), ("AUTHORISED", "To allocate"), ("PAID", "Allocated"), ("VOIDED", "Voided")),
        credit=True,
        webhook="PREPAYMENT",
        every=(360, 30),
        types=(("RECEIVE-PREPAYMENT", "From a customer"), ("SPEND-PREPAYMENT", "To a supplier")),
    ),
    Kind(
        K.OVERPAYMENT,
        "Overpayments",
        "OverpaymentID",
        "overpayments",
        "Overpayment",
        "Overpayments",
        (("", "All"), ("AUTHORISED", "To allocate"), ("PAID", "Allocated"), ("VOIDED", "Voided")),
        credit=True,
        webhook="OVERPAYMENT",
        every=(360, 30),
        types=(("RECEIVE-OVERPAYMENT", "From a customer"), ("SPEND-OVERPAYMENT", "To a supplier")),
    ),
)
BY_KEY = {kind.key: kind for kind in KINDS}
BY_WEBHOOK = {kind.webhook: kind for kind in KINDS if kind.webhook}
