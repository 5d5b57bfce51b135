"""The rest of the books over HTTP, every answer validated against Xero's OpenAPI file: credit
note allocations, bank transactions and transfers, prepayments and overpayments, manual
journals and quotes, as Xero's rules have them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.sandbox.helpers import BOOKS_SCOPES, Xero, client_for
from tests.xero_contract import require_spec


@pytest.fixture
def xero(xero_sandbox) -> Xero:
    require_spec()
    return client_for(xero_sandbox.url, scope=BOOKS_SCOPES)


def errors(answer) -> list[str]:
    body = answer.json()
    return [v["Message"] for e in body.get("Elements", []) for v in e.get("ValidationErrors", [])]


def ok(answer, key: str) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    return answer.json()[key][0]


def contact(xero: Xero, name: str) -> str:
    return ok(xero.put("Contacts", {"Name": name}), "Contacts")["ContactID"]


def invoice(
    xero: Xero, contact_id: str, amount: str, kind: str = "ACCREC", **extra: Any
) -> dict[str, Any]:
    account = "200" if kind == "ACCREC" else "429"
    body = {
        "Type": kind,
        "Contact": {"ContactID": contact_id},
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "Date": "2026-11-02",
        "DueDate": "2026-11-16",
        "LineItems": [{"Description": "Work", "UnitAmount": amount, "AccountCode": account}],
        **extra,
    }
    return ok(xero.put("Invoices", body), "Invoices")


def credit_note(xero: Xero, contact_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    body = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": contact_id},
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "Date": "2026-11-03",
        "LineItems": [{"Description": "Refund", "UnitAmount": amount, "AccountCode": "200"}],
        **extra,
    }
    return ok(xero.put("CreditNotes", body), "CreditNotes")


def allocate(xero: Xero, path: str, invoice_id: str, amount: str):
    return xero.put(
        f"{path}/Allocations",
        {
            "Allocations": [
                {"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": "2026-11-04"}
            ]
        },
    )


def test_a_credit_note_allocated_to_two_invoices_and_taken_back(xero: Xero) -> None:
    acme = contact(xero, "Acme Allocations")
    first = invoice(xero, acme, "100.00")
    second = invoice(xero, acme, "80.00")
    note = credit_note(xero, acme, "150.00")
    path = f"CreditNotes/{note['CreditNoteID']}"
    answer = allocate(xero, path, first["InvoiceID"], "100.00")
    assert answer.status_code == 200, answer.text
    allocation = answer.json()["Allocations"][0]
    assert Decimal(str(allocation["Amount"])) == Decimal("100.00")
    assert allocation["Invoice"]["InvoiceNumber"] == first["InvoiceNumber"]
    paid = ok(xero.get(f"Invoices/{first['InvoiceID']}"), "Invoices")
    assert paid["Status"] == "PAID"
    assert Decimal(str(paid["AmountCredited"])) == Decimal("100.00")
    assert Decimal(str(paid["AmountDue"])) == 0
    assert paid["CreditNotes"][0]["CreditNoteNumber"] == note["CreditNoteNumber"]
    # More than remains of the credit, or than the second invoice owes: refused, nothing lost.
    too_much = allocate(xero, path, second["InvoiceID"], "60.00")
    assert too_much.status_code == 400
    assert errors(too_much) == [
        "The amount allocated (60.00) exceeds the remaining credit (50.00)."
    ]
    assert allocate(xero, path, second["InvoiceID"], "50.00").status_code == 200
    used = ok(xero.get(path), "CreditNotes")
    assert used["Status"] == "PAID"
    assert Decimal(str(used["RemainingCredit"])) == 0
    assert len(used["Allocations"]) == 2
    # Used up, the credit note cannot be voided or changed (Xero's words).
    void = xero.post(path, {"Status": "VOIDED"})
    assert errors(void) == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]
    # Taken back: both documents are as they were.
    taken = xero.call("DELETE", f"{path}/Allocations/{allocation['AllocationID']}")
    assert taken.status_code == 200, taken.text
    assert taken.json()["IsDeleted"] is True
    again = ok(xero.get(f"Invoices/{first['InvoiceID']}"), "Invoices")
    assert again["Status"] == "AUTHORISED"
    assert Decimal(str(again["AmountDue"])) == Decimal("100.00")
    note_now = ok(xero.get(path), "CreditNotes")
    assert note_now["Status"] == "AUTHORISED"
    assert Decimal(str(note_now["RemainingCredit"])) == Decimal("100.00")
    # Still allocated to the second invoice, it cannot be voided.
    assert "remove the allocations" in errors(xero.post(path, {"Status": "VOIDED"}))[0]
    history = xero.get(f"Invoices/{first['InvoiceID']}/History").json()["HistoryRecords"]
    assert [h["Changes"] for h in history[:2]] == ["Credit Removed", "Credit Applied"]


def test_allocation_refusals_say_why(xero: Xero) -> None:
    acme, other = contact(xero, "Acme Refusals"), contact(xero, "Other Refusals")
    theirs = invoice(xero, other, "40.00")
    bill = invoice(xero, acme, "40.00", kind="ACCPAY")
    note = credit_note(xero, acme, "30.00")
    path = f"CreditNotes/{note['CreditNoteID']}"
    assert errors(allocate(xero, path, theirs["InvoiceID"], "10.00")) == [
        "The credit note and the invoice must be for the same contact."
    ]
    assert (
        "cannot be allocated to an invoice of type ACCPAY"
        in errors(allocate(xero, path, bill["InvoiceID"], "10.00"))[0]
    )
    mine = invoice(xero, acme, "40.00")
    assert errors(allocate(xero, path, mine["InvoiceID"], "-1")) == [
        "Allocation amount must be greater than zero."
    ]
    draft = credit_note(xero, acme, "10.00", Status="DRAFT")
    refused = allocate(xero, f"CreditNotes/{draft['CreditNoteID']}", mine["InvoiceID"], "5")
    assert "this one is DRAFT" in errors(refused)[0]
    gone = allocate(xero, path, "00000000-0000-0000-0000-000000000000", "5")
    assert gone.status_code == 400
    # Invoices with credit applied cannot be voided until it is taken back.
    assert allocate(xero, path, mine["InvoiceID"], "10.00").status_code == 200
    void = xero.post(f"Invoices/{mine['InvoiceID']}", {"Status": "VOIDED"})
    assert void.status_code == 400


def bank_account(xero: Xero, code: str = "090") -> dict[str, Any]:
    accounts = xero.get("Accounts", params={"where": f'Code=="{code}"'}).json()["Accounts"]
    return accounts[0]


def test_spend_and_receive_money_with_tracking(xero: Xero) -> None:
    category = ok(xero.put("TrackingCategories", {"Name": "Region"}), "TrackingCategories")
    added = xero.put(
        f"TrackingCategories/{category['TrackingCategoryID']}/Options", {"Name": "North"}
    )
    assert added.status_code == 200, added.text
    supplier = contact(xero, "Stationers Ltd")
    spend = xero.put(
        "BankTransactions",
        {
            "Type": "SPEND",
            "Contact": {"ContactID": supplier},
            "BankAccount": {"Code": "090"},
            "Date": "2026-11-05",
            "Reference": "Paper",
            "LineItems": [
                {
                    "Description": "Paper",
                    "Quantity": 2,
                    "UnitAmount": "50.00",
                    "AccountCode": "453",
                    "Tracking": [{"Name": "Region", "Option": "North"}],
                }
            ],
        },
    )
    record = ok(spend, "BankTransactions")
    assert record["Type"] == "SPEND"
    assert record["Status"] == "AUTHORISED"
    assert Decimal(str(record["SubTotal"])) == Decimal("100.00")
    assert Decimal(str(record["Total"])) == Decimal(str(record["SubTotal"])) + Decimal(
        str(record["TotalTax"])
    )
    assert record["LineItems"][0]["Tracking"][0]["Option"] == "North"
    assert record["BankAccount"]["Code"] == "090"
    # A line coded to a bank account, a transaction on a non-bank account, a transfer type.
    bad = xero.put(
        "BankTransactions",
        {
            "Type": "RECEIVE",
            "Contact": {"ContactID": supplier},
            "BankAccount": {"Code": "200"},
            "LineItems": [{"Description": "x", "UnitAmount": 5, "AccountCode": "091"}],
        },
    )
    assert errors(bad) == [
        "BankAccount must be an active bank account, by AccountID or Code.",
        "Account code '091' is not a valid code for this document.",
    ]
    transfer = xero.put(
        "BankTransactions",
        {
            "Type": "SPEND-TRANSFER",
            "Contact": {"ContactID": supplier},
            "BankAccount": {"Code": "090"},
            "LineItems": [],
        },
    )
    assert errors(transfer) == ["Transfers between bank accounts are made with /BankTransfers."]
    # Reconciled, it cannot be deleted; unreconciled, it can.
    path = f"BankTransactions/{record['BankTransactionID']}"
    assert ok(xero.post(path, {"IsReconciled": True}), "BankTransactions")["IsReconciled"]
    refused = xero.post(path, {"Status": "DELETED"})
    assert "reconciled" in errors(refused)[0]
    xero.post(path, {"IsReconciled": False})
    assert ok(xero.post(path, {"Status": "DELETED"}), "BankTransactions")["Status"] == "DELETED"
    listed = xero.get("BankTransactions", params={"where": 'Status=="DELETED"'})
    assert [t["BankTransactionID"] for t in listed.json()["BankTransactions"]] == [
        record["BankTransactionID"]
    ]


def test_a_prepayment_is_made_by_a_receipt_and_allocated(xero: Xero) -> None:
    acme = contact(xero, "Acme Prepaid")
    receipt = xero.put(
        "BankTransactions",
        {
            "Type": "RECEIVE-PREPAYMENT",
            "Contact": {"ContactID": acme},
            "BankAccount": {"Code": "090"},
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Deposit", "UnitAmount": "200.00", "AccountCode": "200"}],
        },
    )
    txn = ok(receipt, "BankTransactions")
    prepayment_id = txn["PrepaymentID"]
    prepayment = ok(xero.get(f"Prepayments/{prepayment_id}"), "Prepayments")
    assert prepayment["Type"] == "RECEIVE-PREPAYMENT"
    assert Decimal(str(prepayment["RemainingCredit"])) == Decimal("200.00")
    owed = invoice(xero, acme, "150.00")
    answer = allocate(xero, f"Prepayments/{prepayment_id}", owed["InvoiceID"], "150.00")
    assert answer.status_code == 200, answer.text
    assert (
        ok(xero.get(f"Invoices/{owed['InvoiceID']}"), "Invoices")["Prepayments"][0]["PrepaymentID"]
        == prepayment_id
    )
    left = ok(xero.get(f"Prepayments/{prepayment_id}"), "Prepayments")
    assert Decimal(str(left["RemainingCredit"])) == Decimal("50.00")
    assert Decimal(str(left["AppliedAmount"])) == Decimal("150.00")
    # Allocated, the receipt cannot be deleted.
    refused = xero.post(f"BankTransactions/{txn['BankTransactionID']}", {"Status": "DELETED"})
    assert "remove its allocations first" in errors(refused)[0]
    listed = xero.get("Prepayments", params={"page": 1}).json()
    assert prepayment_id in [p["PrepaymentID"] for p in listed["Prepayments"]]
    # An overpayment works the same way.
    over = ok(
        xero.put(
            "BankTransactions",
            {
                "Type": "RECEIVE-OVERPAYMENT",
                "Contact": {"ContactID": acme},
                "BankAccount": {"Code": "090"},
                "LineAmountTypes": "NoTax",
                "LineItems": [{"Description": "Paid twice", "UnitAmount": "20.00"}],
            },
        ),
        "BankTransactions",
    )
    spare = invoice(xero, acme, "20.00")
    path = f"Overpayments/{over['OverpaymentID']}"
    assert allocate(xero, path, spare["InvoiceID"], "20.00").status_code == 200
    assert ok(xero.get(path), "Overpayments")["Status"] == "PAID"


def test_a_bank_transfer_shows_on_both_accounts(xero: Xero) -> None:
    made = xero.put(
        "BankTransfers",
        {
            "BankTransfers": [
                {
                    "FromBankAccount": {"Code": "090"},
                    "ToBankAccount": {"Code": "091"},
                    "Amount": "500.00",
                    "Date": "2026-11-10",
                    "Reference": "To savings",
                }
            ]
        },
    )
    transfer = ok(made, "BankTransfers")
    assert transfer["FromBankAccount"]["Code"] == "090"
    spend = ok(
        xero.get(f"BankTransactions/{transfer['FromBankTransactionID']}"), "BankTransactions"
    )
    receive = ok(
        xero.get(f"BankTransactions/{transfer['ToBankTransactionID']}"), "BankTransactions"
    )
    assert (spend["Type"], receive["Type"]) == ("SPEND-TRANSFER", "RECEIVE-TRANSFER")
    assert (
        xero.post(f"BankTransactions/{spend['BankTransactionID']}", {"Reference": "x"}).status_code
        == 400
    )
    same = xero.put(
        "BankTransfers",
        {
            "BankTransfers": [
                {"FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "090"}, "Amount": 1}
            ]
        },
    )
    assert errors(same) == ["The bank accounts of a transfer must be different."]
    listed = xero.get("BankTransfers", params={"where": 'Reference=="To savings"'}).json()
    assert transfer["BankTransferID"] in [t["BankTransferID"] for t in listed["BankTransfers"]]


def test_a_manual_journal_is_drafted_posted_and_voided(xero: Xero) -> None:
    lines = [
        {"AccountCode": "469", "LineAmount": "300.00", "Description": "Rent accrued"},
        {"AccountCode": "800", "LineAmount": "-300.00"},
    ]
    refused = xero.put("ManualJournals", {"Narration": "Accrual", "JournalLines": lines})
    assert "moved by invoices, credit notes and payments only" in errors(refused)[0]
    lines[1]["AccountCode"] = "880"
    draft = ok(
        xero.put("ManualJournals", {"Narration": "Accrual", "JournalLines": lines}),
        "ManualJournals",
    )
    assert draft["Status"] == "DRAFT"
    path = f"ManualJournals/{draft['ManualJournalID']}"
    lopsided = xero.post(
        path,
        {
            "Status": "POSTED",
            "JournalLines": [lines[0], {"AccountCode": "880", "LineAmount": "-200"}],
        },
    )
    assert errors(lopsided) == ["The total debits (300.00) must equal the total credits (200.00)."]
    posted = ok(xero.post(path, {"Status": "POSTED"}), "ManualJournals")
    assert posted["Status"] == "POSTED"
    assert errors(xero.post(path, {"JournalLines": lines})) == [
        "A posted manual journal cannot be changed; void it instead."
    ]
    assert errors(xero.post(path, {"Status": "DELETED"})) == [
        "A posted manual journal can only be voided."
    ]
    assert ok(xero.post(path, {"Status": "VOIDED"}), "ManualJournals")["Status"] == "VOIDED"
    assert errors(xero.put("ManualJournals", {"JournalLines": lines})) == [
        "Narration is required for a manual journal."
    ]
    history = xero.get(f"{path}/History").json()["HistoryRecords"]
    assert [h["Changes"] for h in history] == ["Voided", "Posted", "Created"]


def test_a_quote_is_sent_accepted_and_invoiced(xero: Xero) -> None:
    acme = contact(xero, "Acme Quotes")
    quote = ok(
        xero.put(
            "Quotes",
            {
                "Quotes": [
                    {
                        "Contact": {"ContactID": acme},
                        "Date": "2026-11-01",
                        "ExpiryDate": "2026-11-30",
                        "Title": "Website",
                        "LineItems": [
                            {
                                "Description": "Design",
                                "Quantity": 2,
                                "UnitAmount": "400",
                                "AccountCode": "200",
                                "DiscountRate": 10,
                            }
                        ],
                    }
                ]
            },
        ),
        "Quotes",
    )
    assert quote["Status"] == "DRAFT"
    assert quote["QuoteNumber"].startswith("QU-")
    assert Decimal(str(quote["TotalDiscount"])) == Decimal("80.00")
    path = f"Quotes/{quote['QuoteID']}"
    assert errors(xero.post(path, {"Status": "INVOICED"})) == [
        "This quote is DRAFT; it cannot be made INVOICED."
    ]
    for status in ("SENT", "ACCEPTED"):
        assert ok(xero.post(path, {"Status": status}), "Quotes")["Status"] == status
    assert errors(xero.post(path, {"LineItems": []})) == [
        "This quote is ACCEPTED and cannot be changed."
    ]
    made = invoice(xero, acme, "720.00", Reference=quote["QuoteNumber"])
    assert made["Reference"] == quote["QuoteNumber"]
    assert ok(xero.post(path, {"Status": "INVOICED"}), "Quotes")["Status"] == "INVOICED"
    by_status = xero.get("Quotes", params={"Status": "INVOICED"}).json()["Quotes"]
    assert [q["QuoteID"] for q in by_status] == [quote["QuoteID"]]
    later = xero.get("Quotes", params={"ContactID": acme, "DateFrom": "2026-11-02"})
    assert later.json()["Quotes"] == []
    earlier = xero.get("Quotes", params={"ContactID": acme, "DateTo": "2026-11-01"})
    assert [q["QuoteID"] for q in earlier.json()["Quotes"]] == [quote["QuoteID"]]
    assert errors(
        xero.put(
            "Quotes",
            {
                "Contact": {"ContactID": acme},
                "Date": "2026-11-05",
                "ExpiryDate": "2026-11-01",
                "LineItems": [{"Description": "x", "UnitAmount": 1}],
            },
        )
    ) == ["The expiry date cannot be before the quote date."]
    pdf = xero.get(f"{path}/pdf", headers={"Accept": "application/pdf"})
    assert pdf.content.startswith(b"%PDF")
