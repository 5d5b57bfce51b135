"""The general ledger under the sandbox's books: every posted document as balanced journal lines.

Nothing is stored twice: the ledger is read from the documents themselves whenever a report
asks, so a void, a deleted payment or an allocation taken back leaves no stale line behind.
Only what Xero posts counts: approved invoices and credit notes (AUTHORISED or PAID), payments
and allocations not deleted, bank transactions and transfers AUTHORISED, journals POSTED.

Amounts are in the organisation's base currency, debits positive and credits negative. A
document in another currency is turned into base currency line by line at its own rate (Xero's
`CurrencyRate`, units of the document's currency to one of base), and the control account
(receivables, payables or the bank) takes whatever balances the entry, so every entry sums to
exactly zero. Where a payment or allocation meets its invoice at another rate, the difference
goes to the REALISEDCURRENCYGAIN account, as Xero's does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xeroadmin.sandbox.state import Org

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
POSTED = ("AUTHORISED", "PAID")

# Which way a document's lines go (+1 debit, -1 credit), and its control account.
LINE_SIDE = {
    "ACCREC": (-1, "DEBTORS"),
    "ACCPAY": (+1, "CREDITORS"),
    "ACCRECCREDIT": (+1, "DEBTORS"),
    "ACCPAYCREDIT": (-1, "CREDITORS"),
    "RECEIVE": (-1, None),  # the bank account is the control
    "SPEND": (+1, None),
}
# Journal.SourceType of each kind of document (OAS-ACC schemas.Journal.SourceType).
SOURCE_TYPE = {
    "ACCREC": "ACCREC",
    "ACCPAY": "ACCPAY",
    "ACCRECCREDIT": "ACCRECCREDIT",
    "ACCPAYCREDIT": "ACCPAYCREDIT",
    "RECEIVE": "CASHREC",
    "SPEND": "CASHPAID",
    "RECEIVE-PREPAYMENT": "ARPREPAYMENT",
    "SPEND-PREPAYMENT": "APPREPAYMENT",
    "RECEIVE-OVERPAYMENT": "AROVERPAYMENT",
    "SPEND-OVERPAYMENT": "APOVERPAYMENT",
}


@dataclass(frozen=True)
class Line:
    account_id: str
    amount: Decimal  # base currency; debit positive
    description: str = ""
    tax_type: str = ""
    tax_amount: Decimal = ZERO
    tracking: tuple[tuple[str, str], ...] = ()  # (category id, option id)


@dataclass
class Entry:
    day: date
    source_type: str
    source_id: str
    reference: str
    lines: list[Line] = field(default_factory=list)


def base(amount: Decimal, rate: Decimal | None) -> Decimal:
    """A document-currency amount in base currency, to the cent."""
    rate = rate or Decimal(1)
    return (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def entries(org: Org) -> list[Entry]:
    """Every posted entry of the organisation, in date order."""
    found = [
        *_documents(org),
        *_payments(org),
        *_allocations(org),
        *_bank(org),
        *_transfers(org),
        *_journals(org),
    ]
    found.sort(key=lambda e: (e.day, e.source_type, e.source_id))
    return found


def balances(
    found: Iterable[Entry],
    start: date | None,
    end: date,
    keep: Callable[[Line], bool] | None = None,
) -> dict[str, Decimal]:
    """Each account's net movement (debit positive) over `found` entries from `start` (or the
    beginning) to `end`, counting only the lines `keep` keeps."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in found:
        if entry.day > end or (start is not None and entry.day < start):
            continue
        for line in entry.lines:
            if keep is None or keep(line):
                totals[line.account_id] += line.amount
    return dict(totals)


def _balanced(
    org: Org, entry: Entry, lines: Iterable[Line], control_id: str, *, gain: bool = False
) -> Entry:
    """`lines`, then one line on the control account (or, with `gain`, the currency gains
    account) that makes the entry sum to zero."""
    entry.lines.extend(lines)
    rest = -sum((line.amount for line in entry.lines), ZERO)
    if rest or not gain:
        account = org.system_account("REALISEDCURRENCYGAIN")["AccountID"] if gain else control_id
        entry.lines.append(Line(account, rest))
    return entry


def _document_lines(org: Org, doc: dict[str, Any], side: int) -> Iterator[Line]:
    """A document's lines, net of tax, and its tax on the tax account, in base currency."""
    rate = doc.get("CurrencyRate")
    inclusive = doc.get("LineAmountTypes") == "Inclusive"
    tax_account = org.system_account("GST")["AccountID"]
    for line in doc["LineItems"]:
        account = org.account_by_code(line.get("AccountCode"))
        if account is None:
            continue
        tax = line.get("TaxAmount") or ZERO
        if doc.get("LineAmountTypes") == "NoTax":
            tax = ZERO
        net = line["LineAmount"] - tax if inclusive else line["LineAmount"]
        tracking = tuple(
            (t["TrackingCategoryID"], t["TrackingOptionID"]) for t in line.get("Tracking") or ()
        )
        yield Line(
            account["AccountID"],
            side * base(net, rate),
            line.get("Description") or "",
            line.get("TaxType") or "",
            side * base(tax, rate),
            tracking,
        )
        if tax:
            yield Line(tax_account, side * base(tax, rate), "Tax", line.get("TaxType") or "")


def _documents(org: Org) -> Iterator[Entry]:
    for id_field, number, records in (
        ("InvoiceID", "InvoiceNumber", org.invoices),
        ("CreditNoteID", "CreditNoteNumber", org.credit_notes),
    ):
        for doc in records.values():
            if doc["Status"] not in POSTED:
                continue
            side, control = LINE_SIDE[doc["Type"]]
            entry = Entry(doc["Date"], SOURCE_TYPE[doc["Type"]], doc[id_field], doc[number])
            yield _balanced(
                org,
                entry,
                _document_lines(org, doc, side),
                org.system_account(str(control))["AccountID"],
            )


def _control_of(org: Org, invoice_type: str) -> str:
    name = "DEBTORS" if invoice_type.startswith("ACCREC") else "CREDITORS"
    return str(org.system_account(name)["AccountID"])


def _payments(org: Org) -> Iterator[Entry]:
    for payment in org.payments.values():
        invoice = org.invoices.get(payment["InvoiceID"])
        if payment["Status"] != "AUTHORISED" or invoice is None:
            continue
        # Money in for a sale, out for a bill: the bank moves one way, the control the other.
        sign = 1 if invoice["Type"] == "ACCREC" else -1
        amount = payment["Amount"]
        entry = Entry(
            payment["Date"],
            payment["PaymentType"],
            payment["PaymentID"],
            payment.get("Reference") or "",
        )
        lines = [
            Line(payment["AccountID"], sign * base(amount, payment.get("CurrencyRate"))),
            Line(
                _control_of(org, invoice["Type"]),
                -sign * base(amount, invoice.get("CurrencyRate")),
            ),
        ]
        yield _balanced(org, entry, lines, "", gain=True)


def allocation_source(org: Org, allocation: dict[str, Any]) -> dict[str, Any] | None:
    """The credit note, prepayment or overpayment an allocation draws on."""
    kinds = {
        "CreditNote": org.credit_notes,
        "Prepayment": org.prepayments,
        "Overpayment": org.overpayments,
    }
    return kinds[allocation["SourceType"]].get(allocation["SourceID"])


def _allocations(org: Org) -> Iterator[Entry]:
    for allocation in org.allocations.values():
        invoice = org.invoices.get(allocation["InvoiceID"])
        source = allocation_source(org, allocation)
        if allocation.get("IsDeleted") or invoice is None or source is None:
            continue
        # The credit leaves the source's side of the control account and settles the
        # invoice's; both are the same account, so only a change of rate leaves a balance.
        sign = 1 if invoice["Type"] == "ACCREC" else -1
        control = _control_of(org, invoice["Type"])
        amount = allocation["Amount"]
        entry = Entry(
            allocation["Date"],
            "ARCREDITPAYMENT" if sign == 1 else "APCREDITPAYMENT",
            allocation["AllocationID"],
            "",
        )
        lines = [
            Line(control, sign * base(amount, source.get("CurrencyRate"))),
            Line(control, -sign * base(amount, invoice.get("CurrencyRate"))),
        ]
        yield _balanced(org, entry, lines, "", gain=True)


def _bank(org: Org) -> Iterator[Entry]:
    for txn in org.bank_transactions.values():
        kind = txn["Type"]
        if txn["Status"] != "AUTHORISED" or kind.endswith("-TRANSFER"):
            continue  # transfers post from the transfer itself
        entry = Entry(txn["Date"], SOURCE_TYPE[kind], txn["BankTransactionID"], txn["Reference"])
        if kind in LINE_SIDE:
            side, _ = LINE_SIDE[kind]
            yield _balanced(org, entry, _document_lines(org, txn, side), txn["BankAccountID"])
            continue
        # A prepayment or overpayment waits on the contact's side of receivables or payables
        # until it is allocated to invoices.
        sign = 1 if kind.startswith("RECEIVE") else -1
        control = _control_of(org, "ACCREC" if sign == 1 else "ACCPAY")
        lines = [Line(control, -sign * base(txn["Total"], txn.get("CurrencyRate")))]
        yield _balanced(org, entry, lines, txn["BankAccountID"])


def _transfers(org: Org) -> Iterator[Entry]:
    for transfer in org.bank_transfers.values():
        if transfer["Status"] != "AUTHORISED":
            continue
        entry = Entry(
            transfer["Date"], "TRANSFER", transfer["BankTransferID"], transfer["Reference"]
        )
        lines = [Line(transfer["ToAccountID"], transfer["Amount"])]
        yield _balanced(org, entry, lines, transfer["FromAccountID"])


def _journals(org: Org) -> Iterator[Entry]:
    tax_account = org.system_account("GST")["AccountID"]
    for journal in org.manual_journals.values():
        if journal["Status"] != "POSTED":
            continue
        entry = Entry(journal["Date"], "MANJOURNAL", journal["ManualJournalID"], "")
        inclusive = journal.get("LineAmountTypes") == "Inclusive"
        for line in journal["JournalLines"]:
            tax = line.get("TaxAmount") or ZERO
            net = line["LineAmount"] - tax if inclusive else line["LineAmount"]
            tracking = tuple(
                (t["TrackingCategoryID"], t["TrackingOptionID"]) for t in line.get("Tracking") or ()
            )
            entry.lines.append(
                Line(
                    line["AccountID"],
                    net,
                    line.get("Description") or "",
                    line.get("TaxType") or "",
                    tax,
                    tracking,
                )
            )
            if tax:
                entry.lines.append(Line(tax_account, tax, "Tax", line.get("TaxType") or ""))
        yield entry
