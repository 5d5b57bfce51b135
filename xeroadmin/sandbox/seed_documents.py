"""The seeded books beyond invoices: a few credit notes (one allocated), quotes in each status,
bank transactions, a transfer, a posted journal, a prepayment and an overpayment, so that every page has
something to show and every report something to add up.

They draw from a random stream of their own (named after the organisation), so that adding
them left every record seeded before them as it was.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books
from xeroadmin.sandbox.state import Org

ZERO = Decimal("0.00")


def seed_documents(org: Org, now: datetime, *, bank_transactions: int = 10) -> None:
    rng = random.Random(f"documents-{org.id}")
    today = now.date()
    customers = [
        c for c in org.contacts.values() if c["IsCustomer"] and c["ContactStatus"] == "ACTIVE"
    ]
    suppliers = [
        c for c in org.contacts.values() if c["IsSupplier"] and c["ContactStatus"] == "ACTIVE"
    ]
    if not customers:
        return
    suppliers = suppliers or customers

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def at(day: date) -> datetime:
        return min(datetime.combine(day, time(12), tzinfo=UTC), now)

    def lines(account: str, amount: Decimal, description: str) -> list[dict[str, Any]]:
        tax = org.account_by_code(account) or {}
        return [
            {
                "LineItemID": new_id(),
                "Description": description,
                "Quantity": Decimal(1),
                "UnitAmount": amount,
                "AccountCode": account,
                "TaxType": tax.get("TaxType"),
                "Tracking": [],
            }
        ]

    def document(
        id_field: str, day: date, contact: dict[str, Any], **fields: Any
    ) -> dict[str, Any]:
        record = {
            id_field: new_id(),
            "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
            "Date": day,
            "LineAmountTypes": "Exclusive",
            "AmountPaid": ZERO,
            "AmountCredited": ZERO,
            "CurrencyCode": org.currency,
            "CurrencyRate": Decimal(1),
            "Reference": "",
            "HasAttachments": False,
            "UpdatedDateUTC": at(day),
            **fields,
        }
        books.invoice_totals(org, record)
        return record

    # Credit notes: a draft, one to allocate, and one allocated to an invoice still owing.
    owing = sorted(
        (i for i in org.invoices.values() if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"),
        key=lambda i: (i["Date"], i["InvoiceNumber"]),
    )
    for n, status in enumerate(("DRAFT", "AUTHORISED", "AUTHORISED")):
        target = owing[n] if n == 2 and len(owing) > 2 else None
        contact = org.contacts[target["Contact"]["ContactID"]] if target else rng.choice(customers)
        if n == 1 and owing:
            # The one to allocate is a customer's who still owes: there is somewhere to put it.
            contact = org.contacts[owing[-1]["Contact"]["ContactID"]]
        day = today - timedelta(days=rng.randint(1, 40))
        amount = Decimal(rng.randint(40, 400))
        note = document(
            "CreditNoteID",
            day,
            contact,
            Type="ACCRECCREDIT",
            CreditNoteNumber=f"CN-{len(org.credit_notes) + 1:04d}",
            Status=status,
            LineItems=lines("200", amount, "Credit for returned goods"),
        )
        org.credit_notes[note["CreditNoteID"]] = note
        if target is not None:
            applied = min(note["AmountDue"], target["AmountDue"])
            allocation_id = new_id()
            org.allocations[allocation_id] = {
                "AllocationID": allocation_id,
                "SourceType": "CreditNote",
                "SourceID": note["CreditNoteID"],
                "InvoiceID": target["InvoiceID"],
                "Amount": applied,
                "Date": max(day, target["Date"]),
                "IsDeleted": False,
                "UpdatedDateUTC": at(max(day, target["Date"])),
            }
            stamp = at(max(day, target["Date"]))
            books.settle(org, note, "AmountCredited", applied, stamp)
            books.settle(org, target, "AmountCredited", applied, stamp)
    # Quotes in each status a quote passes through.
    for n, status in enumerate(("DRAFT", "SENT", "SENT", "ACCEPTED", "DECLINED")):
        day = today - timedelta(days=rng.randint(0, 30))
        quote = document(
            "QuoteID",
            day,
            rng.choice(customers),
            QuoteNumber=f"QU-{n + 1:04d}",
            Status=status,
            Title=rng.choice(("Website refresh", "Annual support", "Office fit-out", "Training")),
            Summary="",
            Terms="Valid for 30 days.",
            ExpiryDate=day + timedelta(days=30),
            LineItems=lines("200", Decimal(rng.randint(5, 60)) * 50, "As discussed"),
        )
        quote["TotalDiscount"] = ZERO
        org.quotes[quote["QuoteID"]] = quote
    # Money in and out of the bank, a transfer to savings, and a prepayment received.
    bank = org.account_by_code("090")
    savings = org.account_by_code("091")
    if bank is None or savings is None:
        return
    for n in range(bank_transactions):
        spend = n % 3 != 0
        day = today - timedelta(days=rng.randint(0, 90))
        account = rng.choice(("429", "453", "469", "489")) if spend else "260"
        txn = document(
            "BankTransactionID",
            day,
            rng.choice(suppliers if spend else customers),
            Type="SPEND" if spend else "RECEIVE",
            BankAccountID=bank["AccountID"],
            IsReconciled=day < today - timedelta(days=30),
            Status="AUTHORISED",
            LineItems=lines(
                account,
                Decimal(rng.randint(20, 900)),
                "Card payment" if spend else "Sundry receipt",
            ),
        )
        org.bank_transactions[txn["BankTransactionID"]] = txn
    day = today - timedelta(days=rng.randint(1, 20))
    transfer_id, out_id, in_id = new_id(), new_id(), new_id()
    amount = Decimal(rng.randint(5, 20)) * 100
    sides: tuple[tuple[str, str, dict[str, Any]], ...] = (
        (out_id, "SPEND-TRANSFER", bank),
        (in_id, "RECEIVE-TRANSFER", savings),
    )
    for txn_id, kind, holder in sides:
        org.bank_transactions[txn_id] = {
            "BankTransactionID": txn_id, "Type": kind, "BankAccountID": holder["AccountID"],
            "Contact": {}, "Date": day, "Reference": "To savings", "IsReconciled": False,
            "Status": "AUTHORISED", "CurrencyCode": org.currency, "CurrencyRate": Decimal(1),
            "LineAmountTypes": "NoTax", "LineItems": [], "SubTotal": amount, "TotalTax": ZERO,
            "Total": amount, "UpdatedDateUTC": at(day),
        }  # fmt: skip
    org.bank_transfers[transfer_id] = {
        "BankTransferID": transfer_id, "FromAccountID": bank["AccountID"],
        "ToAccountID": savings["AccountID"], "Amount": amount, "Date": day,
        "Reference": "To savings", "CurrencyRate": Decimal(1), "Status": "AUTHORISED",
        "FromIsReconciled": False, "ToIsReconciled": False, "HasAttachments": False,
        "FromBankTransactionID": out_id, "ToBankTransactionID": in_id, "CreatedDateUTC": at(day),
    }  # fmt: skip
    # A deposit paid ahead of an invoice, and an invoice paid twice over.
    for kind, id_field, records, what in (
        ("PREPAYMENT", "PrepaymentID", org.prepayments, "Deposit"),
        ("OVERPAYMENT", "OverpaymentID", org.overpayments, "Paid twice"),
    ):
        customer = rng.choice(customers)
        day = today - timedelta(days=rng.randint(1, 20))
        receipt = document(
            "BankTransactionID",
            day,
            customer,
            Type=f"RECEIVE-{kind}",
            BankAccountID=bank["AccountID"],
            IsReconciled=False,
            Status="AUTHORISED",
            LineAmountTypes="NoTax",
            LineItems=lines("200", Decimal(rng.randint(2, 10)) * 50, what),
        )
        credit = {
            **document(
                id_field,
                day,
                customer,
                Type=f"RECEIVE-{kind}",
                Status="AUTHORISED",
                LineAmountTypes="NoTax",
                LineItems=[dict(line) for line in receipt["LineItems"]],
            ),
            "BankTransactionID": receipt["BankTransactionID"],
        }
        receipt[id_field] = credit[id_field]
        org.bank_transactions[receipt["BankTransactionID"]] = receipt
        records[credit[id_field]] = credit
    # A month-end accrual, posted.
    rent = org.account_by_code("469")
    drawings = org.account_by_code("880")
    if rent is None or drawings is None:
        return
    day = today.replace(day=1) - timedelta(days=1)
    amount = Decimal(rng.randint(10, 30)) * 100
    journal_id = new_id()
    org.manual_journals[journal_id] = {
        "ManualJournalID": journal_id,
        "Narration": "Rent paid by the owner",
        "Date": day,
        "Status": "POSTED",
        "LineAmountTypes": "NoTax",
        "ShowOnCashBasisReports": True,
        "HasAttachments": False,
        "UpdatedDateUTC": at(day),
        "JournalLines": [
            {"AccountID": rent["AccountID"], "AccountCode": "469", "Description": "Rent",
             "LineAmount": amount, "TaxType": "", "TaxAmount": ZERO, "Tracking": [], "IsBlank": False},
            {"AccountID": drawings["AccountID"], "AccountCode": "880", "Description": "Paid by owner",
             "LineAmount": -amount, "TaxType": "", "TaxAmount": ZERO, "Tracking": [], "IsBlank": False},
        ],
    }  # fmt: skip
