"""Records as Xero's JSON shows them: `/Date(ms+0000)/` dates with ISO companions, decimals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xeroadmin.sandbox.books import allocations_of, payments_of
from xeroadmin.sandbox.core import iso_date_string, iso_utc_string, msdate
from xeroadmin.sandbox.state import Org

# Unit amounts and prices are answered to 2 decimals unless the client asks `unitdp=4`.
# Source: OAS-ACC parameter `unitdp` ("e.g. unitdp=4"); Xero certification checkpoint "Rounding".
UNIT_FIELDS = {"UnitAmount", "UnitPrice"}


def plain(value: Any, unitdp: int = 2) -> Any:
    """Decimals as JSON numbers (written exactly), datetimes as Xero dates, recursively; unit
    amounts and prices to `unitdp` places."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, datetime | date):
        return msdate(value)
    if isinstance(value, dict):
        return {
            k: unit(v, unitdp) if k in UNIT_FIELDS else plain(v, unitdp)
            for k, v in value.items()
            if not k.startswith("_")
        }
    if isinstance(value, list):
        return [plain(v, unitdp) for v in value]
    return value


def unit(value: Any, places: int) -> Any:
    """A unit amount or price rounded half away from zero to `places` (2 or 4)."""
    if not isinstance(value, Decimal):
        return plain(value, places)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _drop_none(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


def account(record: dict[str, Any]) -> dict[str, Any]:
    out = plain(_drop_none(record))
    out["UpdatedDateUTC"] = msdate(record["UpdatedDateUTC"])
    return out


def tax_rate(record: dict[str, Any]) -> dict[str, Any]:
    return plain(record)


def contact(
    org: Org, record: dict[str, Any], *, full: bool = False, summary: bool = False
) -> dict[str, Any]:
    out = plain(_drop_none(record))
    if summary:
        for key in ("Addresses", "Phones"):
            out.pop(key, None)
    if full:
        out["Balances"] = contact_balances(org, record["ContactID"])
    return out


def contact_balances(org: Org, contact_id: str) -> dict[str, Any]:
    receivable = payable = overdue_r = overdue_p = Decimal(0)
    today = datetime.now().date()
    for inv in org.invoices.values():
        if inv["Contact"]["ContactID"] != contact_id or inv["Status"] != "AUTHORISED":
            continue
        late = inv["DueDate"] is not None and inv["DueDate"] < today
        if inv["Type"] == "ACCREC":
            receivable += inv["AmountDue"]
            overdue_r += inv["AmountDue"] if late else 0
        else:
            payable += inv["AmountDue"]
            overdue_p += inv["AmountDue"] if late else 0
    return {
        "AccountsReceivable": {"Outstanding": Decimal(receivable), "Overdue": Decimal(overdue_r)},
        "AccountsPayable": {"Outstanding": Decimal(payable), "Overdue": Decimal(overdue_p)},
    }


def item(record: dict[str, Any], unitdp: int = 2) -> dict[str, Any]:
    return plain(_drop_none(record), unitdp)


def payment(org: Org, record: dict[str, Any]) -> dict[str, Any]:
    invoice = org.invoices.get(record["InvoiceID"])
    bank = org.accounts.get(record["AccountID"], {})
    out = {
        "PaymentID": record["PaymentID"],
        "Date": msdate(record["Date"]),
        "Amount": Decimal(record["Amount"]),
        "BankAmount": Decimal(record["Amount"]),
        "Reference": record.get("Reference") or "",
        "CurrencyRate": Decimal(record.get("CurrencyRate", 1)),
        "PaymentType": record["PaymentType"],
        "Status": record["Status"],
        "IsReconciled": record.get("IsReconciled", False),
        "HasAccount": True,
        "HasValidationErrors": False,
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
        "Account": {
            "AccountID": record["AccountID"],
            "Code": bank.get("Code"),
            "Name": bank.get("Name"),
        },
    }
    if invoice is not None:
        out["Invoice"] = {
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice["InvoiceNumber"],
            "Type": invoice["Type"],
            "Contact": dict(invoice["Contact"]),
            "CurrencyCode": invoice["CurrencyCode"],
        }
    return out


def invoice(
    org: Org,
    record: dict[str, Any],
    *,
    lines: bool = True,
    summary: bool = False,
    unitdp: int = 2,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Type": record["Type"],
        "InvoiceID": record["InvoiceID"],
        "InvoiceNumber": record["InvoiceNumber"],
        "Reference": record.get("Reference") or "",
        "Contact": dict(record["Contact"]),
        "Date": msdate(record["Date"]),
        "DateString": iso_date_string(record["Date"]),
        "DueDate": msdate(record["DueDate"]),
        "DueDateString": iso_date_string(record["DueDate"]),
        "Status": record["Status"],
        "LineAmountTypes": record["LineAmountTypes"],
        "SubTotal": Decimal(record["SubTotal"]),
        "TotalTax": Decimal(record["TotalTax"]),
        "Total": Decimal(record["Total"]),
        "AmountDue": Decimal(record["AmountDue"]),
        "AmountPaid": Decimal(record["AmountPaid"]),
        "AmountCredited": Decimal(record["AmountCredited"]),
        "CurrencyCode": record["CurrencyCode"],
        "CurrencyRate": Decimal(record.get("CurrencyRate", 1)),
        "IsDiscounted": any(line.get("DiscountRate") for line in record["LineItems"]),
        "HasAttachments": record.get("HasAttachments", False),
        "HasErrors": False,
        "SentToContact": record.get("SentToContact", False),
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
        "UpdatedDateUTCString": iso_utc_string(record["UpdatedDateUTC"]),
    }
    if out["DueDate"] is None:
        del out["DueDate"], out["DueDateString"]
    if record.get("FullyPaidOnDate"):
        out["FullyPaidOnDate"] = msdate(record["FullyPaidOnDate"])
    if summary:
        return out
    if lines:
        out["LineItems"] = [plain(line, unitdp) for line in record["LineItems"]]
        out["Payments"] = [
            {
                "PaymentID": p["PaymentID"],
                "Date": msdate(p["Date"]),
                "Amount": Decimal(p["Amount"]),
                "Reference": p.get("Reference") or "",
                "CurrencyRate": Decimal(p.get("CurrencyRate", 1)),
                "HasAccount": True,
                "HasValidationErrors": False,
            }
            for p in payments_of(org, record["InvoiceID"])
        ]
        out |= credits_applied(org, record["InvoiceID"])
    return out


# Where each kind of credit shows on the invoice it was allocated to, and its id's name there.
CREDIT_FIELDS = {
    "CreditNote": ("CreditNotes", "CreditNoteID"),
    "Prepayment": ("Prepayments", "PrepaymentID"),
    "Overpayment": ("Overpayments", "OverpaymentID"),
}


def credits_applied(org: Org, invoice_id: str) -> dict[str, list[dict[str, Any]]]:
    """The credit notes, prepayments and overpayments allocated to an invoice, each with the
    amount applied (OAS-ACC schemas.Invoice.CreditNotes, Prepayments, Overpayments)."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in CREDIT_FIELDS.values()}
    for allocation in allocations_of(org, invoice_id):
        key, id_field = CREDIT_FIELDS[allocation["SourceType"]]
        entry = {
            id_field: allocation["SourceID"],
            "AppliedAmount": Decimal(allocation["Amount"]),
            "Date": msdate(allocation["Date"]),
        }
        if allocation["SourceType"] == "CreditNote":
            note = org.credit_notes.get(allocation["SourceID"], {})
            entry["CreditNoteNumber"] = note.get("CreditNoteNumber", "")
        out[key].append(entry)
    return out


def credit_note(record: dict[str, Any], unitdp: int = 2) -> dict[str, Any]:
    """A credit note: unit amounts to `unitdp` places and the rate it was saved with, as on
    invoices (OAS-ACC schemas.CreditNote.CurrencyRate; parameter `unitdp` on /CreditNotes)."""
    return {
        "Type": record["Type"],
        "CreditNoteID": record["CreditNoteID"],
        "CreditNoteNumber": record["CreditNoteNumber"],
        "Reference": record.get("Reference") or "",
        "Contact": dict(record["Contact"]),
        "Date": msdate(record["Date"]),
        "DateString": iso_date_string(record["Date"]),
        "Status": record["Status"],
        "LineAmountTypes": record["LineAmountTypes"],
        "LineItems": [plain(line, unitdp) for line in record["LineItems"]],
        "SubTotal": Decimal(record["SubTotal"]),
        "TotalTax": Decimal(record["TotalTax"]),
        "Total": Decimal(record["Total"]),
        "RemainingCredit": Decimal(record["AmountDue"]),
        "CurrencyCode": record["CurrencyCode"],
        "CurrencyRate": Decimal(record.get("CurrencyRate", 1)),
        "HasAttachments": record.get("HasAttachments", False),
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
    } | (
        {"FullyPaidOnDate": msdate(record["FullyPaidOnDate"])}
        if record.get("FullyPaidOnDate")
        else {}
    )


def organisation(org: Org) -> dict[str, Any]:
    return {
        "OrganisationID": org.id,
        "APIKey": "",
        "Name": org.name,
        "LegalName": org.name.split(" (")[0] + " Limited",
        "PaysTax": True,
        **({"TaxNumber": org.tax_number} if org.tax_number else {}),
        "Version": {"NZ": "NZ", "AU": "AU", "GB": "UK", "US": "US"}.get(org.country, "GLOBAL"),
        "OrganisationType": "COMPANY",
        "BaseCurrency": org.currency,
        "CountryCode": org.country,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "TWOMONTHS",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": msdate(org.created),
        "OrganisationEntityType": "COMPANY",
        "Timezone": org.timezone,
        "ShortCode": org.short_code,
        "Edition": "BUSINESS",
        "Class": "PREMIUM",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
