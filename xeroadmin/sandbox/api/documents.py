"""What invoices and credit notes share: their lines (with Xero's refusals of accounts and tax
rates a line cannot take), their currency and rate, and their contact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books
from xeroadmin.sandbox.api.common import Call, string_field
from xeroadmin.sandbox.api.contacts import contact_apply
from xeroadmin.sandbox.core import InputError, money, new_id, parse_date


def document_lines(
    call: Call, raw: Any, invoice_type: str, errors: list[str], old: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    org = call.org
    if not isinstance(raw, list):
        errors.append("LineItems must be an array.")
        return []
    previous = {line["LineItemID"]: line for line in old}
    places = call.unit_places()
    lines = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.append(f"Line {position} must be an object.")
            continue
        line = dict(previous.get(item.get("LineItemID") or "", {})) or {
            "LineItemID": new_id(),
            "Tracking": [],
        }
        code = item.get("ItemCode")
        if code:
            product = next((i for i in org.items.values() if i["Code"] == code), None)
            if product is None:
                errors.append(f"Item code '{code}' is not valid.")
            else:
                details = (
                    product["SalesDetails"]
                    if invoice_type == "ACCREC"
                    else product["PurchaseDetails"]
                )
                line.setdefault("Description", product.get("Description") or product["Name"])
                if "UnitPrice" in details:
                    line.setdefault(
                        "UnitAmount", money(details["UnitPrice"], "UnitPrice", places=places)
                    )
                if "AccountCode" in details:
                    line.setdefault("AccountCode", details["AccountCode"])
                if "TaxType" in details:
                    line.setdefault("TaxType", details["TaxType"])
                line["ItemCode"] = code
        for key in ("Description", "AccountCode", "TaxType"):
            if key in item:
                line[key] = item[key]
        if "Tracking" in item:
            line["Tracking"] = line_tracking(call, item["Tracking"], position, errors)
        try:
            if "Quantity" in item:
                line["Quantity"] = money(item["Quantity"], f"Line {position} Quantity", places=4)
            if "UnitAmount" in item:
                line["UnitAmount"] = money(
                    item["UnitAmount"], f"Line {position} UnitAmount", places=places
                )
            if item.get("DiscountRate") is not None:
                line["DiscountRate"] = money(item["DiscountRate"], f"Line {position} DiscountRate")
        except InputError as error:
            errors.append(str(error))
            continue
        line.setdefault("Quantity", Decimal(1))
        line.setdefault("UnitAmount", Decimal(0))
        if not line.get("Description") and not line.get("ItemCode"):
            errors.append("Description needs to be specified for each line item.")
        account = org.account_by_code(line.get("AccountCode")) if line.get("AccountCode") else None
        # Lines are never coded to a bank account: money moves through one by payments.
        # Message as Xero words it (Xero-NetStandard issue #364).
        if line.get("AccountCode") and (
            account is None or account["Status"] != "ACTIVE" or account["Type"] == "BANK"
        ):
            errors.append(
                f"Account code '{line['AccountCode']}' is not a valid code for this document."
            )
            account = None
        if account is not None and not line.get("TaxType"):
            line["TaxType"] = account["TaxType"]
        rate = org.tax_rate(line["TaxType"]) if line.get("TaxType") else None
        if line.get("TaxType") and rate is None:
            errors.append(
                f"The TaxType code '{line['TaxType']}' does not exist or cannot be used for this type of transaction."
            )
        elif rate is not None and account is not None and not tax_fits(rate, account):
            # A rate applies only to the account classes it says (CanApplyToRevenue and the
            # like; OAS-ACC schemas.TaxRate). Message as Xero words it (Xero-Java issue #336).
            errors.append(
                f"The TaxType code '{line['TaxType']}' cannot be used with account code "
                f"'{account['Code']}'."
            )
        lines.append(line)
    return lines


def line_tracking(call: Call, raw: Any, position: int, errors: list[str]) -> list[dict[str, Any]]:
    """A line's tracking: each entry names an active category (by id or name) and one of its
    active options (by id or name); two at most, one per category. Stored and answered with
    both ids and both names (OAS-ACC `LineItemTracking`)."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        errors.append(f"Line {position} Tracking must be an array of objects.")
        return []
    categories = [c for c in call.org.tracking.values() if c["Status"] == "ACTIVE"]
    found: list[dict[str, Any]] = []
    for entry in raw:
        wanted_id = str(entry.get("TrackingCategoryID") or "").lower()
        wanted_name = str(entry.get("Name") or "").strip().lower()
        category = next(
            (
                c
                for c in categories
                if (wanted_id and c["TrackingCategoryID"] == wanted_id)
                or (not wanted_id and wanted_name and c["Name"].lower() == wanted_name)
            ),
            None,
        )
        if category is None:
            named = entry.get("Name") or entry.get("TrackingCategoryID") or ""
            errors.append(f"Tracking category '{named}' does not exist or is not active.")
            continue
        option_id = str(entry.get("TrackingOptionID") or "").lower()
        option_name = str(entry.get("Option") or "").strip().lower()
        option = next(
            (
                o
                for o in category["Options"]
                if o["Status"] == "ACTIVE"
                and (
                    (option_id and o["TrackingOptionID"] == option_id)
                    or (not option_id and option_name and o["Name"].lower() == option_name)
                )
            ),
            None,
        )
        if option is None:
            named = entry.get("Option") or entry.get("TrackingOptionID") or ""
            errors.append(
                f"Tracking option '{named}' is not an active option of {category['Name']}."
            )
            continue
        if any(t["TrackingCategoryID"] == category["TrackingCategoryID"] for t in found):
            errors.append(f"Line {position} is tracked by {category['Name']} more than once.")
            continue
        found.append(
            {
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
                "Name": category["Name"],
                "Option": option["Name"],
            }
        )
    return found


ACCOUNT_CLASS_FLAGS = {
    "REVENUE": "CanApplyToRevenue",
    "EXPENSE": "CanApplyToExpenses",
    "ASSET": "CanApplyToAssets",
    "LIABILITY": "CanApplyToLiabilities",
    "EQUITY": "CanApplyToEquity",
}


def tax_fits(rate: dict[str, Any], account: dict[str, Any]) -> bool:
    """Whether a tax rate may be used on a line coded to this account (by its class)."""
    flag = ACCOUNT_CLASS_FLAGS.get(str(account.get("Class") or ""))
    return flag is None or rate.get(flag, True) is not False


def payment_rate(
    org: Any, invoice: dict[str, Any], item: dict[str, Any], day: Any, errors: list[str]
) -> Decimal:
    code = invoice.get("CurrencyCode") or org.currency
    if code == org.currency:
        return Decimal(1)
    sent = item.get("CurrencyRate")
    if sent not in (None, "", 0):
        try:
            rate = money(sent, "CurrencyRate", places=6)
        except InputError as error:
            errors.append(str(error))
            return Decimal(1)
        if rate > 0:
            return rate
        errors.append("CurrencyRate must be greater than zero.")
    return books.day_rate(org.currency, code, day)


def document_currency(
    call: Call, record: dict[str, Any], item: dict[str, Any], errors: list[str]
) -> None:
    """A document's currency and rate: the rate the client sends is kept; without one, a
    foreign-currency document takes the day's rate for its date, and the base currency 1.
    Source: OAS-ACC schemas.Invoice.CurrencyRate (XERO_FACTS section 8)."""
    org = call.org
    if "CurrencyCode" in item:
        if item["CurrencyCode"] not in {c["Code"] for c in org.currencies}:
            errors.append(f"Organisation is not subscribed to currency {item['CurrencyCode']}")
            return
        record["CurrencyCode"] = item["CurrencyCode"]
    code = record.get("CurrencyCode") or org.currency
    sent = item.get("CurrencyRate")
    if code == org.currency:
        record["CurrencyRate"] = Decimal(1)
    elif sent not in (None, "", 0):
        try:
            rate = money(sent, "CurrencyRate", places=6)
        except InputError as error:
            errors.append(str(error))
            return
        if rate <= 0:
            errors.append("CurrencyRate must be greater than zero.")
            return
        record["CurrencyRate"] = rate
    elif "CurrencyCode" in item or "Date" in item or not record.get("CurrencyRate"):
        record["CurrencyRate"] = books.day_rate(org.currency, code, record["Date"])


def document_contact(call: Call, raw: Any, errors: list[str]) -> dict[str, Any] | None:
    org = call.org
    if not isinstance(raw, dict):
        errors.append("A Contact must be specified for this type of transaction.")
        return None
    if raw.get("ContactID"):
        contact = org.contacts.get(str(raw["ContactID"]).lower()) or org.contacts.get(
            str(raw["ContactID"])
        )
        if contact is None:
            errors.append(f"Contact with ID {raw['ContactID']} could not be found.")
            return None
    elif raw.get("ContactNumber"):
        contact = next(
            (c for c in org.contacts.values() if c.get("ContactNumber") == raw["ContactNumber"]),
            None,
        )
        if contact is None:
            errors.append(f"Contact with number {raw['ContactNumber']} could not be found.")
            return None
    elif isinstance(raw.get("Name"), str) and raw["Name"].strip():
        contact = next(
            (
                c
                for c in org.contacts.values()
                if c["Name"].lower() == raw["Name"].strip().lower()
                and c["ContactStatus"] == "ACTIVE"
            ),
            None,
        )
        if contact is None:
            # As in Xero: an unknown name creates the contact.
            contact = contact_apply(call, None, {"Name": raw["Name"].strip()})
    else:
        errors.append("A Contact must be specified for this type of transaction.")
        return None
    if contact["ContactStatus"] == "ARCHIVED":
        errors.append(f"The contact {contact['Name']} is archived and cannot be used.")
    return contact


def document_terms(record: dict[str, Any], item: dict[str, Any], errors: list[str]) -> None:
    """A document's reference and how its line amounts treat tax (exclusive, inclusive or no
    tax), on invoices and credit notes alike. Source: OAS-ACC schemas.Invoice and
    schemas.CreditNote (`Reference`, `LineAmountTypes`)."""
    reference = string_field(item, "Reference", 255, errors)
    if reference is not None:
        record["Reference"] = reference
    if "LineAmountTypes" in item:
        if item["LineAmountTypes"] not in books.LINE_AMOUNT_TYPES:
            errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        else:
            record["LineAmountTypes"] = item["LineAmountTypes"]


def bank_account(org: Any, raw: Any, label: str, errors: list[str]) -> dict[str, Any] | None:
    """An active bank account named by `{"AccountID": ...}` or `{"Code": ...}`."""
    account = None
    if isinstance(raw, dict):
        if raw.get("AccountID"):
            account = org.accounts.get(str(raw["AccountID"]).lower())
        elif raw.get("Code"):
            account = org.account_by_code(str(raw["Code"]))
    if account is None or account["Status"] != "ACTIVE" or account["Type"] != "BANK":
        errors.append(f"{label} must be an active bank account, by AccountID or Code.")
        return None
    return dict(account)


def document_body(
    call: Call,
    record: dict[str, Any],
    item: dict[str, Any],
    *,
    new: bool,
    invoice_type: str,
    errors: list[str],
) -> None:
    """What credit notes, quotes and bank transactions take as invoices do: the contact (on a
    new one, or when sent), the date, the currency and its rate, the lines (coded as a sale or
    a purchase, `invoice_type`), the reference and how the amounts treat tax."""
    if new or "Contact" in item:
        contact = document_contact(call, item.get("Contact"), errors)
        if contact is not None:
            record["Contact"] = {"ContactID": contact["ContactID"], "Name": contact["Name"]}
    try:
        if "Date" in item:
            record["Date"] = parse_date(item["Date"], "Date") or call.now.date()
    except InputError as error:
        errors.append(str(error))
    document_currency(call, record, item, errors)
    if "LineItems" in item:
        record["LineItems"] = document_lines(
            call, item["LineItems"], invoice_type, errors, record["LineItems"]
        )
    document_terms(record, item, errors)
