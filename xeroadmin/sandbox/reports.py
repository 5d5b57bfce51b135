"""Xero's reports, computed from the ledger (`ledger.py`) and shaped as Xero's are: a report of
`Rows`, each a `Header`, a `Section` (with a `Title` and rows of its own), a `Row` or a
`SummaryRow`, each of `Cells` holding text `Value`s and `Attributes` that name the account,
invoice or contact behind a figure. Source: OAS-ACC schemas.ReportWithRow, ReportRows,
ReportCell, ReportAttribute and the examples under /Reports/*.

What each report means follows Xero's own help:
- Trial balance: for each account, the month of the report date and the year to date; revenue
  and expense accounts from the start of the financial year, the others including earlier
  years (earlier years' profit sits in retained earnings). help.xero.com Report_TrialBalance.
- Profit and loss: income less cost of sales (gross profit), plus other income, less operating
  expenses (net profit), for a period and up to 12 earlier ones of a month, quarter or year.
- Balance sheet: assets, liabilities and equity at a date; equity includes the current year's
  earnings (the year's net profit) and earlier years' in retained earnings.
- Aged receivables and payables by contact: the contact's invoices outstanding at the date,
  with what was paid and credited by then, less credit not yet allocated.
- Bank summary: each bank account's opening balance, money in and out, and closing balance.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import ledger
from xeroadmin.sandbox.core import msdate
from xeroadmin.sandbox.state import Org

ZERO = Decimal("0.00")
Row = dict[str, Any]
# Account types by where they show (OAS-ACC schemas.AccountType).
INCOME = ("REVENUE", "SALES")
OTHER_INCOME = ("OTHERINCOME",)
COST_OF_SALES = ("DIRECTCOSTS",)
EXPENSES = ("EXPENSE", "OVERHEADS", "DEPRECIATN")
PROFIT_AND_LOSS = {"REVENUE", "EXPENSE"}  # account classes
BALANCE_SHEET_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Bank", ("BANK",)),
    ("Current Assets", ("CURRENT", "PREPAYMENT", "INVENTORY")),
    ("Fixed Assets", ("FIXED",)),
    ("Non-current Assets", ("NONCURRENT",)),
)
LIABILITY_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Current Liabilities", ("CURRLIAB",)),
    ("Non-current Liabilities", ("TERMLIAB", "LIABILITY")),
)
TIMEFRAMES = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


class ReportError(ValueError):
    """A report asked for with arguments Xero would refuse; the message says why."""


# Cells and rows


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def cell(value: str, **attributes: str) -> dict[str, Any]:
    out: dict[str, Any] = {"Value": value}
    if attributes:
        out["Attributes"] = [{"Value": v, "Id": k} for k, v in attributes.items()]
    return out


def account_row(label: str, account_id: str, values: list[str]) -> Row:
    """One account's row: its name, then its figures, each cell naming the account."""
    return row([cell(v, account=account_id) for v in (label, *values)])


def header(*values: str) -> Row:
    return {"RowType": "Header", "Cells": [cell(v) for v in values]}


def section(title: str, rows: list[Row]) -> Row:
    return {"RowType": "Section", "Title": title, "Rows": rows}


def row(cells: list[dict[str, Any]], kind: str = "Row") -> Row:
    return {"RowType": kind, "Cells": cells}


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def report(
    name: str, kind: str, titles: list[str], day: date, rows: list[Row], now: datetime
) -> dict[str, Any]:
    return {
        "ReportID": kind,
        "ReportName": name,
        "ReportType": kind,
        "ReportTitles": titles,
        "ReportDate": long_date(day),
        "UpdatedDateUTC": msdate(now),
        "Fields": [],
        "Rows": rows,
    }


# Dates


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_back(day: date, months: int, *, end: bool = False) -> date:
    """`day` moved back whole months (clamped to the month's length; to its end with `end`)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    moved = date(year, month + 1, min(day.day, last))
    return month_end(moved) if end else moved


def year_start(org: Org, day: date) -> date:
    """The first day of the financial year `day` falls in (years end on 31 March here, as the
    sandbox's Organisation says: FinancialYearEndMonth 3, FinancialYearEndDay 31)."""
    start = date(day.year, 4, 1)
    return start if day >= start else date(day.year - 1, 4, 1)


def account_label(account: dict[str, Any]) -> str:
    return f"{account['Name']} ({account['Code']})" if account.get("Code") else account["Name"]


def _accounts(org: Org, types: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(types)
    found = [a for a in org.accounts.values() if a["Type"] in wanted]
    return sorted(found, key=lambda a: (a.get("Code") or "", a["Name"]))


def profit_before(org: Org, entries: list[ledger.Entry], day: date) -> Decimal:
    """Net profit (credit positive) of everything before `day`: earlier years' earnings."""
    moved = ledger.balances(entries, None, day - timedelta(days=1))
    return -sum((v for k, v in moved.items() if org.accounts[k]["Class"] in PROFIT_AND_LOSS), ZERO)


# Trial balance


def trial_balance(org: Org, day: date, now: datetime) -> dict[str, Any]:
    entries = ledger.entries(org)
    month = ledger.balances(entries, day.replace(day=1), day)
    start = year_start(org, day)
    to_date = ledger.balances(entries, None, day)
    this_year = ledger.balances(entries, start, day)
    retained = org.system_account("RETAINEDEARNINGS")["AccountID"]
    ytd: dict[str, Decimal] = {}
    for account_id in set(to_date) | {retained}:
        account = org.accounts[account_id]
        if account["Class"] in PROFIT_AND_LOSS:
            ytd[account_id] = this_year.get(account_id, ZERO)
        else:
            ytd[account_id] = to_date.get(account_id, ZERO)
    ytd[retained] -= profit_before(org, entries, start)
    sides = [ZERO, ZERO, ZERO, ZERO]

    def split(value: Decimal, lean: Decimal) -> tuple[str, str]:
        if value > 0 or (value == 0 and lean > 0):
            return money(value), ""
        return "", money(-value)

    rows: list[Row] = [header("Account", "Debit", "Credit", "YTD Debit", "YTD Credit")]
    for title, classes in (
        ("Revenue", ("REVENUE",)),
        ("Expenses", ("EXPENSE",)),
        ("Assets", ("ASSET",)),
        ("Liabilities", ("LIABILITY",)),
        ("Equity", ("EQUITY",)),
    ):
        lines = []
        for account in sorted(
            (a for a in org.accounts.values() if a["Class"] in classes),
            key=lambda a: (a.get("Code") or "", a["Name"]),
        ):
            key = account["AccountID"]
            moved, total = month.get(key, ZERO), ytd.get(key, ZERO)
            if not moved and not total:
                continue
            values = [*split(moved, total), *split(total, total)]
            for index, value in enumerate(values):
                sides[index] += Decimal(value or 0)
            lines.append(account_row(account_label(account), key, values))
        if lines:
            rows.append(section(title, lines))
    rows.append(section("", [row([cell("Total"), *(cell(money(s)) for s in sides)], "SummaryRow")]))
    return report(
        "Trial Balance",
        "TrialBalance",
        ["Trial Balance", org.name, f"As at {long_date(day)}"],
        day,
        rows,
        now,
    )


# Profit and loss


def columns(start: date, end: date, periods: int, timeframe: str) -> list[tuple[date, date]]:
    """The period asked for, then `periods` earlier ones a timeframe apart."""
    step = TIMEFRAMES[timeframe]
    whole = start.day == 1 and end == month_end(end)
    return [
        (months_back(start, n * step), months_back(end, n * step, end=whole))
        for n in range(periods + 1)
    ]


def tracked(option_ids: set[str]) -> Callable[[ledger.Line], bool] | None:
    """Lines tracked to one of `option_ids` (None: every line)."""
    if not option_ids:
        return None
    return lambda line: any(option in option_ids for _, option in line.tracking)


def profit_and_loss(
    org: Org,
    start: date,
    end: date,
    periods: int,
    timeframe: str,
    now: datetime,
    option_ids: set[str] | None = None,
) -> dict[str, Any]:
    if end < start:
        raise ReportError("The toDate must not be before the fromDate.")
    spans = columns(start, end, periods, timeframe)
    entries = ledger.entries(org)
    keep = tracked(option_ids or set())
    moved = [ledger.balances(entries, a, b, keep) for a, b in spans]
    rows: list[Row] = [header("", *(short_date(b) for _, b in spans))]

    def block(title: str, total: str, types: Iterable[str], sign: int) -> list[Decimal]:
        sums = [ZERO] * len(spans)
        lines = []
        for account in _accounts(org, types):
            key = account["AccountID"]
            values = [sign * m.get(key, ZERO) for m in moved]
            if not any(values):
                continue
            sums = [s + v for s, v in zip(sums, values, strict=True)]
            lines.append(account_row(account["Name"], key, [money(v) for v in values]))
        if lines:
            lines.append(row([cell(total), *(cell(money(s)) for s in sums)], "SummaryRow"))
            rows.append(section(title, lines))
        return sums

    income = block("Income", "Total Income", INCOME, -1)
    cost = block("Less Cost of Sales", "Total Cost of Sales", COST_OF_SALES, 1)
    gross = [i - c for i, c in zip(income, cost, strict=True)]
    rows.append(section("", [row([cell("Gross Profit"), *(cell(money(g)) for g in gross)])]))
    other = block("Plus Other Income", "Total Other Income", OTHER_INCOME, -1)
    spent = block("Less Operating Expenses", "Total Operating Expenses", EXPENSES, 1)
    net = [g + o - s for g, o, s in zip(gross, other, spent, strict=True)]
    rows.append(section("", [row([cell("Net Profit"), *(cell(money(n)) for n in net)])]))
    return report(
        "Profit and Loss",
        "ProfitAndLoss",
        ["Profit & Loss", org.name, f"{long_date(start)} to {long_date(end)}"],
        end,
        rows,
        now,
    )


# Balance sheet


def balance_sheet(
    org: Org, day: date, periods: int, timeframe: str, now: datetime
) -> dict[str, Any]:
    step = TIMEFRAMES[timeframe]
    whole = day == month_end(day)
    ends = [months_back(day, n * step, end=whole) for n in range(periods + 1)]
    entries = ledger.entries(org)
    held = [ledger.balances(entries, None, e) for e in ends]
    earnings = [
        -sum(
            (
                v
                for k, v in ledger.balances(entries, year_start(org, e), e).items()
                if org.accounts[k]["Class"] in PROFIT_AND_LOSS
            ),
            ZERO,
        )
        for e in ends
    ]
    retained = org.system_account("RETAINEDEARNINGS")["AccountID"]
    earlier = [profit_before(org, entries, year_start(org, e)) for e in ends]
    rows: list[Row] = [header("", *(short_date(e) for e in ends))]

    def block(title: str, types: Iterable[str], sign: int) -> list[Decimal]:
        sums = [ZERO] * len(ends)
        lines = []
        for account in _accounts(org, types):
            key = account["AccountID"]
            values = [sign * h.get(key, ZERO) for h in held]
            if not any(values):
                continue
            sums = [s + v for s, v in zip(sums, values, strict=True)]
            lines.append(account_row(account["Name"], key, [money(v) for v in values]))
        if lines:
            lines.append(
                row([cell(f"Total {title}"), *(cell(money(s)) for s in sums)], "SummaryRow")
            )
            rows.append(section(title, lines))
        return sums

    def total(label: str, sums: list[Decimal], kind: str = "SummaryRow") -> None:
        rows.append(section("", [row([cell(label), *(cell(money(s)) for s in sums)], kind)]))

    rows.append(section("Assets", []))
    assets = [ZERO] * len(ends)
    for title, types in BALANCE_SHEET_SECTIONS:
        assets = [a + b for a, b in zip(assets, block(title, types, 1), strict=True)]
    total("Total Assets", assets)
    rows.append(section("Liabilities", []))
    owed = [ZERO] * len(ends)
    for title, kinds in LIABILITY_SECTIONS:
        owed = [a + b for a, b in zip(owed, block(title, kinds, -1), strict=True)]
    total("Total Liabilities", owed)
    total("Net Assets", [a - o for a, o in zip(assets, owed, strict=True)], "Row")
    equity_rows = [row([cell("Current Year Earnings"), *(cell(money(e)) for e in earnings)])]
    equity = list(earnings)
    for account in _accounts(org, ("EQUITY",)):
        key = account["AccountID"]
        values = [-h.get(key, ZERO) for h in held]
        if key == retained:
            values = [v + p for v, p in zip(values, earlier, strict=True)]
        if not any(values):
            continue
        equity = [e + v for e, v in zip(equity, values, strict=True)]
        equity_rows.append(account_row(account["Name"], key, [money(v) for v in values]))
    equity_rows.append(row([cell("Total Equity"), *(cell(money(e)) for e in equity)], "SummaryRow"))
    rows.append(section("Equity", equity_rows))
    return report(
        "Balance Sheet",
        "BalanceSheet",
        ["Balance Sheet", org.name, f"As at {long_date(day)}"],
        day,
        rows,
        now,
    )


# Aged receivables and payables by contact


def _settled_by(org: Org, document_id: str, day: date) -> tuple[Decimal, Decimal]:
    """What had been paid and credited to a document by `day` (from either side)."""
    paid = sum(
        (
            p["Amount"]
            for p in org.payments.values()
            if p["InvoiceID"] == document_id and p["Status"] == "AUTHORISED" and p["Date"] <= day
        ),
        ZERO,
    )
    credited = sum(
        (
            a["Amount"]
            for a in org.allocations.values()
            if not a.get("IsDeleted")
            and document_id in (a["InvoiceID"], a["SourceID"])
            and a["Date"] <= day
        ),
        ZERO,
    )
    return paid, credited


def aged_by_contact(
    org: Org,
    invoice_type: str,
    contact_id: str,
    day: date,
    start: date | None,
    end: date | None,
    now: datetime,
) -> dict[str, Any]:
    contact = org.contacts.get(contact_id.lower())
    if contact is None:
        raise ReportError("The contactId does not name a contact of this organisation.")
    end = min(end or day, day)
    credit_type = f"{invoice_type}CREDIT"
    kinds = ("RECEIVE-PREPAYMENT", "RECEIVE-OVERPAYMENT")
    if invoice_type == "ACCPAY":
        kinds = ("SPEND-PREPAYMENT", "SPEND-OVERPAYMENT")

    def within(doc: dict[str, Any]) -> bool:
        return (
            doc["Contact"]["ContactID"] == contact["ContactID"]
            and doc["Status"] in ledger.POSTED
            and doc["Date"] <= end
            and (start is None or doc["Date"] >= start)
        )

    # (date, number, id, due date, total, attribute naming the id, +1 owed / -1 credit)
    documents: list[tuple[date, str, str, date | None, Decimal, str, int]] = [
        (
            i["Date"],
            i["InvoiceNumber"],
            i["InvoiceID"],
            i.get("DueDate"),
            i["Total"],
            "invoiceID",
            1,
        )
        for i in org.invoices.values()
        if i["Type"] == invoice_type and within(i)
    ]
    documents += [
        (n["Date"], n["CreditNoteNumber"], n["CreditNoteID"], None, n["Total"], "creditNoteID", -1)
        for n in org.credit_notes.values()
        if n["Type"] == credit_type and within(n)
    ]
    for records, id_field, label in (
        (org.prepayments, "PrepaymentID", "Prepayment"),
        (org.overpayments, "OverpaymentID", "Overpayment"),
    ):
        attribute = id_field[0].lower() + id_field[1:]
        documents += [
            (c["Date"], label, c[id_field], None, c["Total"], attribute, -1)
            for c in records.values()
            if c["Type"] in kinds and within(c)
        ]
    documents.sort(key=lambda d: (d[0], d[1]))
    sums = [ZERO, ZERO, ZERO, ZERO]
    lines = []
    for issued, number, doc_id, due_on, total, attribute, sign in documents:
        paid, credited = _settled_by(org, doc_id, day)
        due = total - paid - credited
        if not due:
            continue
        late = ""
        if due_on is not None and due_on < day:
            late = f"{(day - due_on).days} days overdue"
        values = [sign * total, sign * paid, sign * credited, sign * due]
        sums = [s + v for s, v in zip(sums, values, strict=True)]
        ids = {attribute: doc_id}
        lines.append(
            row(
                [
                    cell(f"{issued.isoformat()}T00:00:00", **ids),
                    cell(number, **ids),
                    cell(f"{due_on.isoformat()}T00:00:00" if due_on else "", **ids),
                    cell(late, **ids),
                    *(cell(money(v), **ids) for v in values),
                ]
            )
        )
    blank = [cell(""), cell(""), cell("")]
    figures = [cell(money(s)) for s in sums]
    lines.append(row([cell("Total"), *blank, *figures], "SummaryRow"))
    closing = row([cell("Closing Balance"), *blank, *figures], "SummaryRow")
    is_sales = invoice_type == "ACCREC"
    name = "Aged Receivables By Contact" if is_sales else "Aged Payables By Contact"
    since = start.isoformat() if start else "the beginning"
    return report(
        name,
        name.replace(" ", ""),
        [
            "Invoices" if is_sales else "Bills",
            contact["Name"],
            f"From {long_date(start) if start else since} to {long_date(end)}",
            f"Showing payments to {long_date(day)}",
        ],
        day,
        [
            header("Date", "Number", "Due Date", "", "Total", "Paid", "Credited", "Due"),
            section("", lines),
            section("", [closing]),
        ],
        now,
    )


# Bank summary


def bank_summary(org: Org, start: date, end: date, now: datetime) -> dict[str, Any]:
    if end < start:
        raise ReportError("The toDate must not be before the fromDate.")
    entries = ledger.entries(org)
    opening = ledger.balances(entries, None, start - timedelta(days=1))
    received: dict[str, Decimal] = {}
    spent: dict[str, Decimal] = {}
    for entry in entries:
        if not start <= entry.day <= end:
            continue
        for line in entry.lines:
            bucket = received if line.amount > 0 else spent
            bucket[line.account_id] = bucket.get(line.account_id, ZERO) + abs(line.amount)
    sums = [ZERO, ZERO, ZERO, ZERO]
    lines = []
    for account in _accounts(org, ("BANK",)):
        key = account["AccountID"]
        first = opening.get(key, ZERO)
        into, out = received.get(key, ZERO), spent.get(key, ZERO)
        values = [first, into, out, first + into - out]
        sums = [s + v for s, v in zip(sums, values, strict=True)]
        lines.append(row([cell(account["Name"], accountID=key)] + [cell(money(v)) for v in values]))
    lines.append(row([cell("Total"), *(cell(money(s)) for s in sums)], "SummaryRow"))
    return report(
        "Bank Summary",
        "BankSummary",
        ["Bank Summary", org.name, f"From {long_date(start)} to {long_date(end)}"],
        end,
        [
            header(
                "Bank Accounts", "Opening Balance", "Cash Received", "Cash Spent", "Closing Balance"
            ),
            section("", lines),
        ],
        now,
    )
