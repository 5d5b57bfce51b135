"""Deterministic demo organisations: the same seed gives the same books (dated from today)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books
from xeroadmin.sandbox.api.users import seed_users
from xeroadmin.sandbox.books import ZERO, apply_payment, invoice_totals
from xeroadmin.sandbox.payroll import seed_payroll
from xeroadmin.sandbox.seed_documents import seed_documents
from xeroadmin.sandbox.state import Org, State, User


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    timezone: str
    sales_tax: str
    purchase_tax: str
    rates: tuple[tuple[str, str, str, str], ...]  # (TaxType, Name, rate, ReportTaxType)


COUNTRIES = (
    Country(
        "NZ",
        "NZD",
        "NEWZEALANDSTANDARDTIME",
        "OUTPUT2",
        "INPUT2",
        (
            ("OUTPUT2", "15% GST on Income", "15.00", "OUTPUT"),
            ("INPUT2", "15% GST on Expenses", "15.00", "INPUT"),
            ("ZERORATED", "Zero Rated", "0.00", "OUTPUT"),
            ("NONE", "No GST", "0.00", "NONE"),
        ),
    ),
    Country(
        "AU",
        "AUD",
        "AUSEASTERNSTANDARDTIME",
        "OUTPUT",
        "INPUT",
        (
            ("OUTPUT", "GST on Income", "10.00", "OUTPUT"),
            ("INPUT", "GST on Expenses", "10.00", "INPUT"),
            ("EXEMPTOUTPUT", "GST Free Income", "0.00", "OUTPUT"),
            ("BASEXCLUDED", "BAS Excluded", "0.00", "NONE"),
        ),
    ),
    Country(
        "GB",
        "GBP",
        "GMTSTANDARDTIME",
        "OUTPUT2",
        "INPUT2",
        (
            ("OUTPUT2", "20% (VAT on Income)", "20.00", "OUTPUT"),
            ("INPUT2", "20% (VAT on Expenses)", "20.00", "INPUT"),
            ("ZERORATEDOUTPUT", "Zero Rated Income", "0.00", "OUTPUT"),
            ("NONE", "No VAT", "0.00", "NONE"),
        ),
    ),
    Country(
        "US",
        "USD",
        "EASTERNSTANDARDTIME",
        "TAX001",
        "NONE",
        (
            ("TAX001", "Sales Tax", "8.88", "OUTPUT"),
            ("NONE", "Tax Exempt", "0.00", "NONE"),
        ),
    ),
)

ORG_NAMES = (
    "Demo Company (NZ)",
    "Harbourside Trading (AU)",
    "Kingsway Studio (UK)",
    "Maple Street Supplies (US)",
    "Tasman Outfitters (NZ)",
    "Coral Coast Cafe (AU)",
    "Pohutukawa Plumbing (NZ)",
    "Granite Peak Builders (US)",
)
CURRENCY_NAMES = {
    "NZD": "New Zealand Dollar",
    "AUD": "Australian Dollar",
    "GBP": "British Pound",
    "USD": "United States Dollar",
    "EUR": "Euro",
}

# (Code, Name, Type, Class, sales?, payments?, system account)
CHART = (
    ("090", "Business Bank Account", "BANK", "ASSET", False, True, ""),
    ("091", "Business Savings Account", "BANK", "ASSET", False, True, ""),
    ("200", "Sales", "REVENUE", "REVENUE", True, False, ""),
    ("260", "Other Revenue", "REVENUE", "REVENUE", True, False, ""),
    ("270", "Interest Income", "REVENUE", "REVENUE", True, False, ""),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", False, False, ""),
    ("400", "Advertising", "EXPENSE", "EXPENSE", False, False, ""),
    ("404", "Bank Fees", "EXPENSE", "EXPENSE", False, False, ""),
    ("412", "Consulting & Accounting", "EXPENSE", "EXPENSE", False, False, ""),
    ("420", "Entertainment", "EXPENSE", "EXPENSE", False, False, ""),
    ("429", "General Expenses", "EXPENSE", "EXPENSE", False, False, ""),
    ("453", "Office Expenses", "EXPENSE", "EXPENSE", False, False, ""),
    ("469", "Rent", "EXPENSE", "EXPENSE", False, False, ""),
    ("485", "Subscriptions", "EXPENSE", "EXPENSE", False, False, ""),
    ("489", "Telephone & Internet", "EXPENSE", "EXPENSE", False, False, ""),
    ("493", "Travel - National", "EXPENSE", "EXPENSE", False, False, ""),
    ("610", "Accounts Receivable", "CURRENT", "ASSET", False, False, "DEBTORS"),
    ("620", "Prepayments", "CURRENT", "ASSET", False, True, ""),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", False, False, "CREDITORS"),
    ("820", "Sales Tax", "CURRLIAB", "LIABILITY", False, False, "GST"),
    ("880", "Owner A Drawings", "EQUITY", "EQUITY", False, False, ""),
    ("960", "Retained Earnings", "EQUITY", "EQUITY", False, False, "RETAINEDEARNINGS"),
)
# Where the ledger puts the difference a foreign-currency payment or allocation makes between
# the rates on its two sides (OAS-ACC Account.SystemAccount `REALISEDCURRENCYGAIN`).
LATER_CHART = (
    ("498", "Realised Currency Gains", "EXPENSE", "EXPENSE", False, False, "REALISEDCURRENCYGAIN"),
)

FIRST = (
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Ema",
    "Finn",
    "Grace",
    "Hemi",
    "Isla",
    "Jack",
    "Kiri",
    "Liam",
)
LAST = ("Walker", "Ngata", "Patel", "Smith", "Chen", "O'Brien", "Taylor", "Wilson", "Brown", "Li")
COMPANY_A = (
    "Ridgeline",
    "Bluegum",
    "Copperfield",
    "Northgate",
    "Silverfern",
    "Harbour",
    "Summit",
    "Oakridge",
    "Pinnacle",
    "Riverbend",
    "Kauri",
    "Westport",
    "Lakeside",
    "Ironbark",
)
COMPANY_B = (
    "Builders",
    "Dental",
    "Logistics",
    "Design",
    "Catering",
    "Plumbing",
    "Legal",
    "Motors",
    "Florists",
    "Software",
    "Printing",
    "Cleaning",
    "Engineering",
    "Media",
)
COMPANY_C = ("Ltd", "Limited", "& Co", "Group", "Partners", "Pty Ltd", "Services")
ITEMS = (
    ("CONSULT", "Consulting hour", "Professional services, per hour", "150.00", "412"),
    ("SUPPORT", "Support plan", "Monthly managed support", "450.00", "412"),
    ("LAPTOP", "Laptop", "14-inch business laptop", "1650.00", "310"),
    ("MONITOR", "Monitor", "27-inch monitor", "420.00", "310"),
    ("CABLE", "Network cable", "Cat6 cable, 3 m", "12.50", "310"),
    ("TRAIN", "Training session", "Half-day training", "600.00", "412"),
    ("LICENCE", "Software licence", "Annual licence, per seat", "240.00", "485"),
    ("TRAVEL", "Travel", "Travel time and mileage", "85.00", "493"),
    ("INSTALL", "Installation", "On-site installation", "220.00", "412"),
    ("BACKUP", "Backup service", "Cloud backup, per month", "65.00", "485"),
)
STATUS_MIX = (
    ("DRAFT",) * 2 + ("SUBMITTED",) + ("AUTHORISED",) * 4 + ("PAID",) * 6 + ("VOIDED", "DELETED")
)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed(
    state: State,
    *,
    seed_value: int = 42,
    orgs: int = 3,
    invoices_per_org: int = 200,
    contacts_per_org: int = 50,
    bank_transactions_per_org: int = 10,
    tidy: bool = False,
) -> None:
    """Replace the organisations in `state` with freshly generated ones.

    `tidy` books have nothing a bookkeeper would chase: every contact has an e-mail address and
    a name of its own, drafts are recent, nothing is overdue by more than 30 days, no two bills
    from one supplier share an amount, and every bill from 1,000 has its receipt attached (so
    that problems planted on them, `plant.py`, are the only ones)."""
    rng = random.Random(seed_value)
    # Everything seeded is stamped at or before this moment: a record "updated" later than the
    # sandbox's own now would turn every changed-since comparison the wrong way round.
    now = (state.clock.now() - timedelta(seconds=1)).replace(microsecond=0)
    today = now.date()
    user = User(
        id=_uuid(rng), email="sandbox.user@example.com", given_name="Sandy", family_name="Box"
    )
    state.world.users = {user.id: user}
    state.world.orgs = {}
    for index in range(orgs):
        country = COUNTRIES[index % len(COUNTRIES)]
        name = ORG_NAMES[index % len(ORG_NAMES)]
        if index >= len(ORG_NAMES):
            name = f"{name} {index // len(ORG_NAMES) + 1}"
        org = _org(rng, country, name, today)
        _books(rng, org, country, now, invoices_per_org, contacts_per_org, tidy=tidy)
        if invoices_per_org:
            seed_documents(org, now, bank_transactions=bank_transactions_per_org)
        seed_users(org, now)
        seed_payroll(org, now)
        state.world.orgs[org.id] = org


def _org(rng: random.Random, country: Country, name: str, today: Any) -> Org:
    created = datetime.combine(today - timedelta(days=800), time(9), tzinfo=UTC)
    org = Org(
        id=_uuid(rng),
        name=name,
        short_code="!"
        + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5)),
        country=country.code,
        currency=country.currency,
        timezone=country.timezone,
        created=created,
    )
    # From the id, not the random stream, so that nothing seeded after it moves.
    digits = f"{int(org.id.replace('-', ''), 16) % 10**9:09d}"
    org.tax_number = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    org.tax_rates = [
        {
            "Name": tax_name,
            "TaxType": tax_type,
            "ReportTaxType": report,
            "Status": "ACTIVE",
            "EffectiveRate": Decimal(rate),
            "DisplayTaxRate": Decimal(rate),
            # As in the contract's example: a rate on income cannot apply to expenses and
            # one on expenses not to revenue. Source: OAS-ACC getTaxRates example.
            "CanApplyToAssets": True,
            "CanApplyToEquity": True,
            "CanApplyToExpenses": report != "OUTPUT",
            "CanApplyToLiabilities": True,
            "CanApplyToRevenue": report != "INPUT",
            "TaxComponents": [
                {
                    "Name": tax_name.split(" ")[0],
                    "Rate": Decimal(rate),
                    "IsCompound": False,
                    "IsNonRecoverable": False,
                }
            ],
        }
        for tax_type, tax_name, rate, report in country.rates
    ]
    # The base currency and three others, so that multi-currency work has room to happen.
    others = [code for code in ("USD", "EUR", "GBP", "AUD") if code != country.currency][:3]
    currencies = [country.currency, *others]
    org.currencies = [{"Code": code, "Description": CURRENCY_NAMES[code]} for code in currencies]
    # Accounts added after the first chart take ids from the organisation's, not from the
    # seed's random stream, so that everything seeded after them keeps its id.
    later = {code: str(uuid.uuid5(uuid.UUID(org.id), code)) for code, *_ in LATER_CHART}
    for code, acc_name, acc_type, acc_class, sales, payments, system in CHART + LATER_CHART:
        account_id = later.get(code) or _uuid(rng)
        tax = country.sales_tax if sales else country.purchase_tax
        if acc_type in ("BANK", "CURRENT", "CURRLIAB", "EQUITY"):
            tax = "NONE" if org.tax_rate("NONE") else country.rates[-1][0]
        org.accounts[account_id] = {
            "AccountID": account_id,
            "Code": code,
            "Name": acc_name,
            "Type": acc_type,
            "Class": acc_class,
            "TaxType": tax,
            "Status": "ACTIVE",
            "Description": "",
            "EnablePaymentsToAccount": payments and acc_type != "BANK",
            "ShowInExpenseClaims": acc_type == "EXPENSE",
            "BankAccountNumber": f"01-0123-{rng.randint(1000000, 9999999)}-00"
            if acc_type == "BANK"
            else None,
            "BankAccountType": "BANK" if acc_type == "BANK" else None,
            "CurrencyCode": country.currency if acc_type == "BANK" else None,
            "ReportingCode": None,
            "SystemAccount": system or None,
            "HasAttachments": False,
            "AddToWatchlist": False,
            "UpdatedDateUTC": created,
        }
    return org


def _at(day: date, hour: int, now: datetime) -> datetime:
    """`hour` o'clock UTC on `day`, or `now` if that is still to come."""
    return min(datetime.combine(day, time(hour), tzinfo=UTC), now)


def _books(
    rng: random.Random,
    org: Org,
    country: Country,
    now: datetime,
    invoices: int,
    contacts: int,
    *,
    tidy: bool = False,
) -> None:
    """Items, contacts, then a year of invoices and bills, some paid (in that order: the same
    seed gives the same books)."""
    _items(rng, org, country)
    contact_list = _contacts(rng, org, country, contacts, tidy=tidy)
    customers = [c for c in contact_list if c["IsCustomer"]]
    suppliers = [c for c in contact_list if c["IsSupplier"]] or customers
    bills_seen: set[tuple[str, Decimal]] | None = set() if tidy else None
    for n in range(invoices):
        _invoice(rng, org, n, customers, suppliers, now, bills_seen)


def _items(rng: random.Random, org: Org, country: Country) -> None:
    created = org.created
    for code, item_name, description, price, account in ITEMS:
        item_id = _uuid(rng)
        org.items[item_id] = {
            "ItemID": item_id,
            "Code": code,
            "Name": item_name,
            "Description": description,
            "PurchaseDescription": description,
            "IsSold": True,
            "IsPurchased": account == "310",
            "IsTrackedAsInventory": False,
            "SalesDetails": {
                "UnitPrice": Decimal(price),
                "AccountCode": "200",
                "TaxType": country.sales_tax,
            },
            "PurchaseDetails": {
                "UnitPrice": (Decimal(price) * Decimal("0.6")).quantize(Decimal("0.01")),
                "AccountCode": account,
                "TaxType": country.purchase_tax,
            },
            "UpdatedDateUTC": created,
        }


def _contacts(
    rng: random.Random, org: Org, country: Country, contacts: int, *, tidy: bool = False
) -> list[dict[str, Any]]:
    created = org.created
    contact_list = []
    for n in range(max(contacts, 2)):
        contact_id = _uuid(rng)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_C)}"
        if n >= len(COMPANY_A) * 4:
            company = f"{company} {n}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if tidy:
            # A name of its own even without its legal ending ("Ltd", "& Co").
            a, b = COMPANY_A[n % len(COMPANY_A)], COMPANY_B[n // len(COMPANY_A) % len(COMPANY_B)]
            suffix = f" {n}" if n >= len(COMPANY_A) * len(COMPANY_B) else ""
            company = f"{a} {b}{suffix} {rng.choice(COMPANY_C)}"
        supplier = n % 4 == 3
        slug = "".join(ch for ch in company.lower() if ch.isalnum())[:20]
        contact = {
            "ContactID": contact_id,
            "ContactNumber": f"C{n + 1:05d}",
            "AccountNumber": None,
            "ContactStatus": "ARCHIVED" if n % 12 == 11 else "ACTIVE",
            "Name": company,
            "FirstName": first,
            "LastName": last,
            "EmailAddress": f"{first.lower()}@{slug}.example.com" if tidy or n % 10 != 9 else "",
            "IsSupplier": supplier,
            "IsCustomer": not supplier,
            "DefaultCurrency": country.currency,
            "Addresses": [
                {
                    "AddressType": "POBOX",
                    "AddressLine1": f"PO Box {rng.randint(100, 9999)}",
                    "City": "Wellington",
                    "PostalCode": f"{rng.randint(1000, 9999)}",
                    "Country": country.code,
                },
                {
                    "AddressType": "STREET",
                    "AddressLine1": f"{rng.randint(1, 300)} Queen Street",
                    "City": "Wellington",
                    "PostalCode": f"{rng.randint(1000, 9999)}",
                    "Country": country.code,
                },
            ],
            "Phones": [
                {
                    "PhoneType": "DEFAULT",
                    "PhoneNumber": f"{rng.randint(2000000, 9999999)}",
                    "PhoneAreaCode": "04",
                    "PhoneCountryCode": "64",
                },
                {
                    "PhoneType": "MOBILE",
                    "PhoneNumber": f"{rng.randint(2000000, 9999999)}",
                    "PhoneAreaCode": "021",
                    "PhoneCountryCode": "64",
                },
            ],
            "TaxNumber": None,
            "HasAttachments": False,
            "UpdatedDateUTC": created,
        }
        org.contacts[contact_id] = contact
        contact_list.append(contact)
    return contact_list


def _invoice(
    rng: random.Random,
    org: Org,
    n: int,
    customers: list[dict[str, Any]],
    suppliers: list[dict[str, Any]],
    now: datetime,
    bills_seen: set[tuple[str, Decimal]] | None = None,
) -> None:
    """The `n`th invoice (every fourth a bill), and its payment when it has one; `bills_seen`
    (a tidy seed's) keeps the books tidy."""
    today = now.date()
    item_list = list(org.items.values())
    sales = n % 4 != 3
    contact = rng.choice(customers if sales else suppliers)
    status = rng.choice(STATUS_MIX)
    issued = today - timedelta(days=rng.randint(0, 364))
    lines = []
    for _ in range(rng.randint(1, 3)):
        item = rng.choice(item_list)
        details = item["SalesDetails"] if sales else item["PurchaseDetails"]
        lines.append(
            {
                "LineItemID": _uuid(rng),
                "Description": item["Description"],
                "Quantity": Decimal(rng.randint(1, 8)),
                "UnitAmount": details["UnitPrice"],
                "ItemCode": item["Code"],
                "AccountCode": details["AccountCode"],
                "TaxType": details["TaxType"],
                "Tracking": [],
            }
        )
    invoice_id = _uuid(rng)
    updated = _at(issued, 10, now)
    invoice: dict[str, Any] = {
        "InvoiceID": invoice_id,
        "Type": "ACCREC" if sales else "ACCPAY",
        "InvoiceNumber": org.next_invoice_number() if sales else f"BILL-{rng.randint(1000, 99999)}",
        "Reference": f"PO-{rng.randint(100, 9999)}" if rng.random() < 0.6 else "",
        "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
        "Date": issued,
        "DueDate": issued + timedelta(days=rng.choice((7, 14, 20, 30))),
        "Status": "AUTHORISED" if status == "PAID" else status,
        "LineAmountTypes": "Exclusive",
        "LineItems": lines,
        "AmountPaid": ZERO,
        "AmountCredited": ZERO,
        "CurrencyCode": org.currency,
        "CurrencyRate": Decimal(1),
        "SentToContact": sales and status in ("AUTHORISED", "PAID"),
        "HasAttachments": False,
        "FullyPaidOnDate": None,
        "CreatedByClientID": None,
        "UpdatedDateUTC": updated,
    }
    invoice_totals(org, invoice)
    if bills_seen is not None:
        status = _tidy(org, invoice, status, bills_seen, today)
    org.invoices[invoice_id] = invoice
    if status == "PAID" or (status == "AUTHORISED" and rng.random() < 0.2):
        _payment(rng, org, invoice, status, now)


def _tidy(
    org: Org,
    invoice: dict[str, Any],
    status: str,
    bills_seen: set[tuple[str, Decimal]],
    today: date,
) -> str:
    """Make one generated invoice tidy; returns its status (paid, if it was long overdue)."""
    if status == "DRAFT" and invoice["Date"] < today - timedelta(days=20):
        invoice["Date"] = today - timedelta(days=len(org.invoices) % 20)
        invoice["DueDate"] = invoice["Date"] + timedelta(days=14)
    if status == "AUTHORISED" and invoice["DueDate"] < today - timedelta(days=30):
        status = "PAID"
    if invoice["Type"] == "ACCPAY":
        invoice["Reference"] = ""
        key = (invoice["Contact"]["ContactID"], invoice["Total"])
        while key in bills_seen:
            invoice["LineItems"][0]["Quantity"] += 1
            invoice_totals(org, invoice)
            key = (invoice["Contact"]["ContactID"], invoice["Total"])
        bills_seen.add(key)
        if invoice["Total"] >= 1000 and status in ("AUTHORISED", "PAID"):
            attach_receipt(org, invoice)
    return status


def attach_receipt(org: Org, invoice: dict[str, Any]) -> None:
    """A scanned receipt on a bill, as a bookkeeper attaches one."""
    data = f"Receipt for {invoice['InvoiceNumber']}: {invoice['Total']}\n".encode()
    org.attachments[invoice["InvoiceID"]] = [
        {
            "AttachmentID": str(uuid.uuid5(uuid.NAMESPACE_URL, invoice["InvoiceID"])),
            "FileName": "receipt.txt",
            "MimeType": "text/plain",
            "Data": data,
            "ContentLength": len(data),
            "IncludeOnline": False,
        }
    ]
    invoice["HasAttachments"] = True


def _payment(
    rng: random.Random, org: Org, invoice: dict[str, Any], status: str, now: datetime
) -> None:
    today = now.date()
    sales = invoice["Type"] == "ACCREC"
    invoice_id = invoice["InvoiceID"]
    bank = next(a for a in org.accounts.values() if a["Code"] == "090")
    amount = (
        invoice["AmountDue"]
        if status == "PAID"
        else (invoice["AmountDue"] / 2).quantize(Decimal("0.01"))
    )
    paid_on = min(invoice["DueDate"], today)
    payment_id = _uuid(rng)
    paid_at = _at(paid_on, 11, now)
    books.add_payment(
        org,
        invoice,
        {
            "PaymentID": payment_id,
            "InvoiceID": invoice_id,
            "AccountID": bank["AccountID"],
            "Date": paid_on,
            "Amount": amount,
            "Reference": "",
            "Status": "AUTHORISED",
            "PaymentType": "ACCRECPAYMENT" if sales else "ACCPAYPAYMENT",
            "CurrencyRate": Decimal(1),
            "IsReconciled": status == "PAID",
            "UpdatedDateUTC": paid_at,
        },
    )
    apply_payment(org, invoice, amount, paid_at)
