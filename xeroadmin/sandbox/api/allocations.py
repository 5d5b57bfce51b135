"""Allocations: a credit note, prepayment or overpayment applied to invoices of the same contact
and currency (`PUT /{Kind}s/{id}/Allocations`), and taken back again
(`DELETE /{Kind}s/{id}/Allocations/{AllocationID}`).

An allocation raises the invoice's `AmountCredited` and lowers its `AmountDue` (PAID at zero),
and lowers what remains of the credit (`RemainingCredit`; PAID at zero). It never takes more
than either side has. Source: OAS-ACC createCreditNoteAllocation, createPrepaymentAllocations,
createOverpaymentAllocations, deleteCreditNoteAllocations and schemas.Allocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xeroadmin.sandbox import books
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    add_history,
    batch,
    body_list,
    method_not_allowed,
)
from xeroadmin.sandbox.core import (
    InputError,
    money,
    msdate,
    new_id,
    not_found,
    parse_date,
    validation_error,
)
from xeroadmin.sandbox.state import Org

Record = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    name: str  # CreditNote, Prepayment, Overpayment
    id_field: str
    collection: str  # the Org attribute
    category: str  # webhook event category
    label: str  # in messages and history

    def records(self, org: Org) -> dict[str, Record]:
        return getattr(org, self.collection)

    def invoice_type(self, source: Record) -> str:
        """The invoices this source may be allocated to: sales for what a customer is owed
        or has paid ahead, bills for what a supplier owes."""
        kind = source["Type"]
        receivable = ("ACCRECCREDIT", "RECEIVE-PREPAYMENT", "RECEIVE-OVERPAYMENT")
        return "ACCREC" if kind in receivable else "ACCPAY"

    def number(self, source: Record) -> str:
        return str(source.get("CreditNoteNumber") or source.get("Reference") or self.label)


CREDIT_NOTE = Kind("CreditNote", "CreditNoteID", "credit_notes", "CREDITNOTE", "credit note")
PREPAYMENT = Kind("Prepayment", "PrepaymentID", "prepayments", "PREPAYMENT", "prepayment")
OVERPAYMENT = Kind("Overpayment", "OverpaymentID", "overpayments", "OVERPAYMENT", "overpayment")


def allocate(call: Call, kind: Kind, source: Record, item: Record) -> Record:
    """Apply one allocation from `source` to the invoice `item` names."""
    org = call.org
    errors: list[str] = []
    source = kind.records(org)[source[kind.id_field]]  # the latest copy within a batch
    raw = item.get("Invoice")
    invoice = None
    if isinstance(raw, dict):
        key = str(raw.get("InvoiceID") or raw.get("InvoiceNumber") or "")
        invoice = org.invoices.get(key.lower()) or next(
            (i for i in org.invoices.values() if key and i["InvoiceNumber"] == key), None
        )
    if invoice is None:
        raise validation_error(["Invoice could not be found. Specify an existing InvoiceID."])
    amount = None
    try:
        amount = money(item.get("Amount"), "Amount")
        day = parse_date(item.get("Date"), "Date") or call.now.date()
    except InputError as error:
        errors.append(str(error))
        day = call.now.date()
    if source["Status"] != "AUTHORISED":
        errors.append(
            f"Only an AUTHORISED {kind.label} with credit remaining can be allocated; "
            f"this one is {source['Status']}."
        )
    if invoice["Status"] != "AUTHORISED":
        errors.append(
            f"Allocations can only be made to AUTHORISED invoices; {invoice['InvoiceNumber']} "
            f"is {invoice['Status']}."
        )
    if invoice["Type"] != kind.invoice_type(source):
        errors.append(
            f"A {kind.label} of type {source['Type']} cannot be allocated to an invoice of "
            f"type {invoice['Type']}."
        )
    if invoice["Contact"]["ContactID"] != source["Contact"]["ContactID"]:
        errors.append(f"The {kind.label} and the invoice must be for the same contact.")
    if invoice.get("CurrencyCode") != source.get("CurrencyCode"):
        errors.append(f"The {kind.label} and the invoice must be in the same currency.")
    if amount is not None:
        if amount <= 0:
            errors.append("Allocation amount must be greater than zero.")
        elif amount > source["AmountDue"]:
            errors.append(
                f"The amount allocated ({amount:.2f}) exceeds the remaining credit "
                f"({source['AmountDue']:.2f})."
            )
        elif amount > invoice["AmountDue"]:
            errors.append(
                f"The amount allocated ({amount:.2f}) exceeds the amount due on "
                f"{invoice['InvoiceNumber']} ({invoice['AmountDue']:.2f})."
            )
    if errors or amount is None:
        raise validation_error(errors)
    allocation = {
        "AllocationID": new_id(),
        "SourceType": kind.name,
        "SourceID": source[kind.id_field],
        "InvoiceID": invoice["InvoiceID"],
        "Amount": amount,
        "Date": day,
        "IsDeleted": False,
        "UpdatedDateUTC": call.now,
    }
    org.allocations[allocation["AllocationID"]] = allocation
    _apply(call, kind, allocation, amount)
    what = f"{amount:.2f} of {kind.number(source)} allocated to {invoice['InvoiceNumber']}."
    add_history(call, invoice["InvoiceID"], "Credit Applied", what)
    add_history(call, allocation["SourceID"], "Credit Applied", what)
    return allocation


def _apply(call: Call, kind: Kind, allocation: Record, amount: Any) -> None:
    """Move `amount` of credit (negative to give it back) between the two documents."""
    org = call.org
    invoice = org.invoices[allocation["InvoiceID"]] = dict(org.invoices[allocation["InvoiceID"]])
    books.settle(org, invoice, "AmountCredited", amount, call.now)
    records = kind.records(org)
    source = records[allocation["SourceID"]] = dict(records[allocation["SourceID"]])
    books.settle(org, source, "AmountCredited", amount, call.now)
    call.events.append(("INVOICE", "UPDATE", invoice["InvoiceID"]))
    call.events.append((kind.category, "UPDATE", allocation["SourceID"]))


def render(org: Org, kind: Kind, allocation: Record) -> Record:
    invoice = org.invoices.get(allocation["InvoiceID"], {})
    source = kind.records(org).get(allocation["SourceID"], {})
    out: Record = {
        "AllocationID": allocation["AllocationID"],
        "Amount": allocation["Amount"],
        "Date": msdate(allocation["Date"]),
        "Invoice": {
            "InvoiceID": allocation["InvoiceID"],
            "InvoiceNumber": invoice.get("InvoiceNumber", ""),
        },
        kind.name: {kind.id_field: allocation["SourceID"]},
    }
    if kind is CREDIT_NOTE:
        out[kind.name]["CreditNoteNumber"] = source.get("CreditNoteNumber", "")
    if allocation.get("IsDeleted"):
        out["IsDeleted"] = True
    return out


def sub(kind: Kind) -> Any:
    """The `Allocations` sub-resource of one kind of credit."""

    def handler(call: Call, source: Record) -> Reply:
        org = call.org
        if len(call.segments) == 4:
            if call.method != "DELETE":
                raise validation_error(["An allocation can only be deleted."])
            return _delete(call, kind, source, call.segments[3].lower())
        if call.method not in ("PUT", "POST"):
            raise method_not_allowed()
        items = body_list(call, "Allocations")
        return batch(
            call,
            "Allocations",
            items,
            lambda item: allocate(call, kind, source, item),
            lambda allocation: render(org, kind, allocation),
        )

    return handler


def _delete(call: Call, kind: Kind, source: Record, allocation_id: str) -> Reply:
    org = call.org
    allocation = org.allocations.get(allocation_id)
    if allocation is None or allocation["SourceID"] != source[kind.id_field]:
        raise not_found()
    if allocation.get("IsDeleted"):
        raise validation_error(["This allocation has already been deleted."])
    invoice = org.invoices[allocation["InvoiceID"]]
    if invoice["Status"] == "VOIDED":
        raise validation_error(["The invoice has been voided."])
    allocation = org.allocations[allocation_id] = {
        **allocation,
        "IsDeleted": True,
        "UpdatedDateUTC": call.now,
    }
    _apply(call, kind, allocation, -allocation["Amount"])
    what = (
        f"{allocation['Amount']:.2f} of {kind.number(source)} taken back from "
        f"{invoice['InvoiceNumber']}."
    )
    add_history(call, invoice["InvoiceID"], "Credit Removed", what)
    add_history(call, allocation["SourceID"], "Credit Removed", what)
    # The contract answers the deleted Allocation itself, flagged IsDeleted.
    return Reply(200, render(org, kind, allocation))
