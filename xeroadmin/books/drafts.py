"""The draft invoice editor's arithmetic and choices, shared by its page and its live parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import QueryDict

from xeroadmin.books.forms import InvoiceLineForm
from xeroadmin.books.models import Account, Item, TaxRate, TrackingCategory
from xeroadmin.connections.models import Tenant

CENT = Decimal("0.01")
# Lines one document may have here. Xero documents no limit of its own, only requests of at
# most 3.5 MB (older pages) to 10 MB; 500 lines of long descriptions fit well within that, and
# DATA_UPLOAD_MAX_NUMBER_FIELDS is set to let a form of that many lines through.
MAX_LINES = 500
LINE_KEY = re.compile(r"^line-(\d+)-")


# Where a line without an item is coded by default: a sales line to a revenue account, a bill
# line to a purchases (direct costs) account, else an expense. Never a bank account: money
# moves through a bank account by payments, not by invoice lines.
DEFAULT_ACCOUNT_TYPES = {
    "ACCREC": ("REVENUE", "SALES"),
    "ACCPAY": ("DIRECTCOSTS", "EXPENSE", "OVERHEADS"),
    # Money received or spent straight from a bank account: other income, or an expense.
    "RECEIVE": ("OTHERINCOME", "REVENUE", "SALES"),
    "SPEND": ("EXPENSE", "OVERHEADS", "DIRECTCOSTS"),
    # A credit note takes back a sale (a customer's) or a purchase (a supplier's).
    "ACCRECCREDIT": ("REVENUE", "SALES"),
    "ACCPAYCREDIT": ("DIRECTCOSTS", "EXPENSE", "OVERHEADS"),
}
NOT_ON_LINES = ("BANK",)


def line_accounts(tenant: Tenant) -> list[Account]:
    """The accounts a line may be coded to: active, with a code, and not a bank account."""
    accounts = Account.objects.filter(tenant=tenant, status="ACTIVE").exclude(code="")
    return list(accounts.exclude(type__in=NOT_ON_LINES).order_by("code"))


def journal_accounts(tenant: Tenant) -> list[Account]:
    """The accounts a manual journal may move: active, with a code, and not receivables or
    payables (Xero moves those by invoices, credit notes and payments only)."""
    accounts = Account.objects.filter(tenant=tenant, status="ACTIVE").exclude(code="")
    locked = ("DEBTORS", "CREDITORS")
    return list(accounts.exclude(system_account__in=locked).order_by("code"))


# Which flag of a tax rate says it may be used on an account of each class (Xero refuses the
# rest: "The TaxType code 'X' cannot be used with account code 'Y'."). OAS-ACC schemas.TaxRate.
CLASS_FLAGS = {
    "REVENUE": "CanApplyToRevenue",
    "EXPENSE": "CanApplyToExpenses",
    "ASSET": "CanApplyToAssets",
    "LIABILITY": "CanApplyToLiabilities",
    "EQUITY": "CanApplyToEquity",
}


def line_choices(tenant: Tenant) -> dict[str, Any]:
    """Items, accounts and tax rates of this organisation only, and which tax rates each
    account may take (`fits`: account code -> tax types)."""
    items = Item.objects.filter(tenant=tenant).order_by("code")
    rates = list(TaxRate.objects.filter(tenant=tenant).exclude(status="DELETED"))
    accounts = line_accounts(tenant)
    categories = TrackingCategory.objects.filter(tenant=tenant, status="ACTIVE").prefetch_related(
        "options"
    )
    return {
        "tracking": [
            (
                c.xero_id,
                c.name,
                [(o.xero_id, o.name) for o in c.options.all() if o.status == "ACTIVE"],
            )
            for c in categories
        ][:2],
        "item_code": [("", "—"), *((i.code, f"{i.code} {i.name}".strip()) for i in items)],
        "account_code": [(a.code, f"{a.code} · {a.name}") for a in accounts],
        "tax_type": [(t.tax_type, str(t)) for t in rates],
        "fits": {
            a.code: {
                t.tax_type
                for t in rates
                if t.raw.get(CLASS_FLAGS.get(a.account_class, ""), True) is not False
            }
            for a in accounts
        },
    }


def line_defaults(tenant: Tenant, kind: str | None) -> dict[str, Any]:
    """A new line without an item: coded to the document type's usual account, with its tax."""
    wanted = DEFAULT_ACCOUNT_TYPES.get(kind or "ACCREC") or DEFAULT_ACCOUNT_TYPES["ACCREC"]
    accounts = [a for a in line_accounts(tenant) if a.type in wanted]
    accounts.sort(key=lambda a: (wanted.index(a.type), a.code))
    if not accounts:
        return {"quantity": 1}
    return {"quantity": 1, "account_code": accounts[0].code, "tax_type": accounts[0].tax_type}


def line_indexes(data: QueryDict) -> list[int]:
    """The row numbers present in a posted editor (rows can be added and removed freely)."""
    found = {int(m.group(1)) for key in data for m in [LINE_KEY.match(key)] if m}
    return sorted(found)


def line_forms(
    tenant: Tenant,
    data: QueryDict | None,
    initial: list[dict[str, Any]] | None = None,
    *,
    kind: str | None = None,
) -> list[InvoiceLineForm]:
    choices = line_choices(tenant)
    if data is not None:
        return [
            InvoiceLineForm(data, prefix=f"line-{n}", choices=choices) for n in line_indexes(data)
        ]
    rows = initial or [line_defaults(tenant, kind)]
    return [
        InvoiceLineForm(prefix=f"line-{n}", initial=row, choices=choices)
        for n, row in enumerate(rows)
    ]


def item_defaults(tenant: Tenant, code: str) -> dict[str, Any]:
    """What picking an item fills in: its description, price, account and tax."""
    item = Item.objects.filter(tenant=tenant, code=code).first()
    if item is None:
        return {}
    return {
        "item_code": item.code,
        "description": item.description or item.name,
        "unit_amount": _price(item.unit_price),
        "account_code": item.account_code,
        "tax_type": item.tax_type,
        "quantity": 1,
    }


def account_changed(tenant: Tenant, data: QueryDict, prefix: str) -> dict[str, Any]:
    """A row as typed after its account changed, its tax rate the account's own unless the
    one chosen already fits the account."""
    names = ("item_code", "description", "quantity", "unit_amount", "account_code", "tax_type")
    row: dict[str, Any] = {name: data.get(f"{prefix}-{name}", "") for name in names}
    row |= {k[len(prefix) + 1 :]: v for k, v in data.items() if k.startswith(f"{prefix}-tracking_")}
    account = Account.objects.filter(tenant=tenant, code=row["account_code"]).first()
    if account is not None:
        fits = line_choices(tenant)["fits"].get(account.code, set())
        if row["tax_type"] not in fits:
            row["tax_type"] = account.tax_type
    return row


def _price(value: Decimal | None) -> Decimal | None:
    """A price as people write it: two decimals unless it really has more."""
    if value is None:
        return None
    return value.quantize(CENT) if value == value.quantize(CENT) else value.normalize()


# Amounts the mirror (18 digits, 2 decimals) and Xero can hold.
LARGEST = Decimal("1e15")


def _number(text: str | None) -> Decimal | None:
    """A finite number of a sane size from a typed field ("" is 0), or None."""
    try:
        value = Decimal((text or "0").strip() or "0")
    except ArithmeticError:
        return None
    return value if value.is_finite() and abs(value) < LARGEST else None


@dataclass
class Totals:
    subtotal: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    # Each line's amount (quantity times price, to the cent) by its row's prefix ("line-0").
    lines: dict[str, Decimal] = field(default_factory=dict)
    currency: str = ""


def totals(tenant: Tenant, data: QueryDict, amounts: str) -> Totals:
    """Subtotal, tax and total as Xero will compute them (per line, rounded to the cent)."""
    rates = {t.tax_type: t.rate for t in TaxRate.objects.filter(tenant=tenant)}
    result = Totals(currency=str(data.get("currency_code") or tenant.base_currency))
    for n in line_indexes(data):
        quantity = _number(data.get(f"line-{n}-quantity"))
        price = _number(data.get(f"line-{n}-unit_amount"))
        if quantity is None or price is None or abs(quantity * price) >= LARGEST:
            result.lines[f"line-{n}"] = Decimal("0")  # the field itself says what is wrong
            continue
        amount = (quantity * price).quantize(CENT, ROUND_HALF_UP)
        rate = rates.get(data.get(f"line-{n}-tax_type", ""), Decimal("0")) / 100
        if amounts == "NoTax":
            tax = Decimal("0")
        elif amounts == "Inclusive":
            tax = (amount - amount / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
        else:
            tax = (amount * rate).quantize(CENT, ROUND_HALF_UP)
        result.lines[f"line-{n}"] = amount
        result.subtotal += amount - tax if amounts == "Inclusive" else amount
        result.tax += tax
    result.total = result.subtotal + result.tax
    return result
