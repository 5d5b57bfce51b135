"""Reports computed from the sandbox's ledger, in Xero's report format (every answer validated
against Xero's OpenAPI file), and the properties any set of books must have: the trial balance
balances, the year's net profit is the balance sheet's current year earnings, assets less
liabilities are equity, aged receivables are what invoices still owe less credit not yet
allocated, and no allocation makes an amount due negative. Checked on random seeds (the
seeded books) and on random sequences of documents sent over HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.helpers import BOOKS_SCOPES, Xero, client_for
from tests.xero_contract import require_spec
from xeroadmin.sandbox import reports
from xeroadmin.sandbox.core import Clock
from xeroadmin.sandbox.seed import seed
from xeroadmin.sandbox.state import Org, State


@pytest.fixture
def xero(xero_sandbox) -> Xero:
    require_spec()
    xero_sandbox.sandbox.limits.enabled = False
    return client_for(xero_sandbox.url, scope=BOOKS_SCOPES)


def today_of(xero_sandbox) -> date:
    return xero_sandbox.sandbox.state.clock.now().date()


def figures(report: dict[str, Any]) -> dict[str, list[Decimal]]:
    """Each row's label and its figures (blank cells as zero), sections flattened."""
    found: dict[str, list[Decimal]] = {}

    def walk(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            if row["RowType"] in ("Row", "SummaryRow"):
                label, *values = [c["Value"] for c in row["Cells"]]
                numbers = []
                for value in values:
                    try:
                        numbers.append(Decimal(value or "0"))
                    except ArithmeticError:
                        numbers.append(Decimal(0))
                found[label] = numbers
            walk(row.get("Rows", []))

    walk(report["Rows"])
    return found


def fetch(xero: Xero, name: str, **params: Any) -> dict[str, Any]:
    answer = xero.get(f"Reports/{name}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["Reports"][0]


# The properties, each over reports as a client reads them.


def check_trial_balance(report: dict[str, Any]) -> None:
    debit, credit, ytd_debit, ytd_credit = figures(report)["Total"]
    assert debit == credit
    assert ytd_debit == ytd_credit


def check_balance_sheet(report: dict[str, Any], net_profit: Decimal) -> None:
    rows = figures(report)
    assets = rows.get("Total Assets", [Decimal(0)])[0]
    owed = rows.get("Total Liabilities", [Decimal(0)])[0]
    assert rows["Net Assets"][0] == assets - owed
    assert rows["Total Equity"][0] == assets - owed
    assert rows["Current Year Earnings"][0] == net_profit


def aged_rows(report: dict[str, Any]) -> dict[str, Decimal]:
    """Each document's Due in an aged report, by the id its cells name."""
    return {
        row["Cells"][1]["Attributes"][0]["Value"]: Decimal(row["Cells"][-1]["Value"])
        for section in report["Rows"][1:]
        for row in section.get("Rows", [])
        if row["RowType"] == "Row"
    }


def check_aged(report: dict[str, Any], owed: Decimal) -> None:
    assert figures(report)["Closing Balance"][-1] == owed  # the Due column


def year_start(xero: Xero, xero_sandbox, day: date) -> date:
    return reports.year_start(xero_sandbox.sandbox.state.orgs[xero.tenant], day)


def check_receivables(org: Org, today: date, now: Any) -> None:
    """What the ledger says customers owe is what their documents say, contact by contact."""
    ledger_says = figures(reports.trial_balance(org, today, now))["Accounts Receivable (610)"]
    owed = ledger_says[2] - ledger_says[3]  # YTD debit less YTD credit
    aged = sum(
        (
            figures(reports.aged_by_contact(org, "ACCREC", c["ContactID"], today, None, None, now))[
                "Closing Balance"
            ][-1]
            for c in org.contacts.values()
        ),
        Decimal(0),
    )
    assert aged == owed


# Exact figures for a known change


def test_an_invoice_moves_each_report_by_its_amounts(xero: Xero, xero_sandbox) -> None:
    today = today_of(xero_sandbox)
    start = today.replace(day=1)
    before_pl = figures(fetch(xero, "ProfitAndLoss", fromDate=start, toDate=today))
    before_tb = figures(fetch(xero, "TrialBalance", date=today))
    customer = xero.put("Contacts", {"Name": "Report Checks Ltd"}).json()["Contacts"][0]
    made = xero.put(
        "Invoices",
        {
            "Type": "ACCREC",
            "Contact": {"ContactID": customer["ContactID"]},
            "Status": "AUTHORISED",
            "Date": today.isoformat(),
            "DueDate": (today + timedelta(days=14)).isoformat(),
            "LineItems": [
                {
                    "Description": "Work",
                    "Quantity": 1,
                    "UnitAmount": "1000.00",
                    "AccountCode": "200",
                }
            ],
        },
    )
    invoice = made.json()["Invoices"][0]
    tax = Decimal(str(invoice["TotalTax"]))
    after_pl = figures(fetch(xero, "ProfitAndLoss", fromDate=start, toDate=today))
    assert after_pl["Sales"][0] - before_pl.get("Sales", [Decimal(0)])[0] == Decimal("1000.00")
    assert after_pl["Net Profit"][0] - before_pl["Net Profit"][0] == Decimal("1000.00")
    after_tb = figures(fetch(xero, "TrialBalance", date=today))
    receivable = "Accounts Receivable (610)"
    ar_before = before_tb.get(receivable, [Decimal(0)] * 4)
    assert after_tb[receivable][2] - ar_before[2] == Decimal("1000.00") + tax
    aged = fetch(xero, "AgedReceivablesByContact", contactId=customer["ContactID"], date=today)
    check_aged(aged, Decimal("1000.00") + tax)
    assert aged["ReportTitles"][1] == "Report Checks Ltd"
    row = next(r for r in aged["Rows"][1]["Rows"] if r["RowType"] == "Row")
    assert row["Cells"][1]["Value"] == invoice["InvoiceNumber"]
    assert row["Cells"][1]["Attributes"][0] == {"Value": invoice["InvoiceID"], "Id": "invoiceID"}


def test_bank_summary_follows_money_in_and_out(xero: Xero, xero_sandbox) -> None:
    today = today_of(xero_sandbox)
    start = today.replace(day=1)
    before = figures(fetch(xero, "BankSummary", fromDate=start, toDate=today))
    made = xero.put(
        "BankTransfers",
        {
            "BankTransfers": [
                {
                    "FromBankAccount": {"Code": "090"},
                    "ToBankAccount": {"Code": "091"},
                    "Amount": "250.00",
                    "Date": today.isoformat(),
                }
            ]
        },
    )
    assert made.status_code == 200, made.text
    after = figures(fetch(xero, "BankSummary", fromDate=start, toDate=today))
    savings_before = before.get("Business Savings Account", [Decimal(0)] * 4)
    assert after["Business Savings Account"][1] - savings_before[1] == Decimal("250.00")
    assert after["Business Bank Account"][2] - before["Business Bank Account"][2] == Decimal(
        "250.00"
    )
    assert after["Total"][3] == before["Total"][3]  # money moved, none made


def test_profit_and_loss_by_month_for_a_year(xero: Xero, xero_sandbox) -> None:
    today = today_of(xero_sandbox)
    start = today.replace(day=1)
    report = fetch(
        xero,
        "ProfitAndLoss",
        fromDate=start,
        toDate=reports.month_end(start),
        periods=11,
        timeframe="MONTH",
    )
    header = [c["Value"] for c in report["Rows"][0]["Cells"]]
    assert len(header) == 13  # the label column and 12 months, newest first
    assert header[1] == reports.short_date(reports.month_end(start))
    # The twelve months add up to the year they make.
    months = figures(report)["Net Profit"]
    year = figures(
        fetch(
            xero,
            "ProfitAndLoss",
            fromDate=reports.months_back(start, 11),
            toDate=reports.month_end(start),
        )
    )["Net Profit"][0]
    assert sum(months) == year


def test_report_arguments_xero_would_refuse(xero: Xero) -> None:
    for name, params, message in (
        ("AgedReceivablesByContact", {}, "contactId is required for this report."),
        ("ProfitAndLoss", {"periods": 13}, "periods must be a whole number from 1 to 12."),
        ("ProfitAndLoss", {"timeframe": "WEEK"}, "timeframe must be MONTH, QUARTER or YEAR."),
        (
            "ProfitAndLoss",
            {"fromDate": "2026-05-01", "toDate": "2026-04-01"},
            "The toDate must not be before the fromDate.",
        ),
        ("TrialBalance", {"date": "yesterday"}, None),
    ):
        answer = xero.get(f"Reports/{name}", params=params)
        assert answer.status_code == 400, (name, answer.text)
        if message:
            assert message in answer.text
    assert xero.get("Reports/NoSuchReport").status_code == 404


# Properties on random seeds: the seeded books, reported in-process.


@settings(max_examples=8, deadline=None)
@given(seed_value=st.integers(min_value=0, max_value=2**31))
def test_seeded_books_keep_the_properties(seed_value: int) -> None:
    state = State(Clock())
    seed(state, orgs=2, invoices_per_org=60, contacts_per_org=8, seed_value=seed_value)
    now = state.clock.now()
    today = now.date()
    for org in state.orgs.values():
        check_trial_balance(reports.trial_balance(org, today, now))
        profit = figures(
            reports.profit_and_loss(org, reports.year_start(org, today), today, 0, "MONTH", now)
        )["Net Profit"][0]
        check_balance_sheet(reports.balance_sheet(org, today, 0, "MONTH", now), profit)
        check_receivables(org, today, now)
        for contact in list(org.contacts.values()):
            mine = contact["ContactID"]
            owed = sum(
                (
                    i["AmountDue"]
                    for i in org.invoices.values()
                    if i["Type"] == "ACCREC"
                    and i["Status"] == "AUTHORISED"
                    and i["Contact"]["ContactID"] == mine
                    and i["Date"] <= today
                ),
                Decimal(0),
            )
            # Less the credit not yet allocated: credit notes, prepayments, overpayments.
            credits = [
                *org.credit_notes.values(),
                *org.prepayments.values(),
                *org.overpayments.values(),
            ]
            owed -= sum(
                (
                    c["AmountDue"]
                    for c in credits
                    if c["Type"] in ("ACCRECCREDIT", "RECEIVE-PREPAYMENT", "RECEIVE-OVERPAYMENT")
                    and c["Status"] == "AUTHORISED"
                    and c["Contact"]["ContactID"] == mine
                ),
                Decimal(0),
            )
            report = reports.aged_by_contact(org, "ACCREC", mine, today, None, None, now)
            check_aged(report, owed)


# Properties on random sequences of documents, sent over HTTP.

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "invoice",
                "bill",
                "pay",
                "credit",
                "allocate",
                "spend",
                "receive",
                "prepay",
                "transfer",
                "journal",
                "void",
                "unpay",
            ]
        ),
        st.integers(min_value=1, max_value=400_000),  # an amount, in cents
        st.integers(min_value=0, max_value=500),  # days ago
        st.integers(min_value=0, max_value=10),  # which earlier record
    ),
    min_size=4,
    max_size=12,
)


class Books:
    """What one sequence has made, to pick from for later operations."""

    def __init__(self, xero: Xero, today: date) -> None:
        self.xero, self.today = xero, today
        self.customer = self._contact("Property Customer")
        self.supplier = self._contact("Property Supplier")
        self.invoices: list[str] = []
        self.sales: list[str] = []
        self.allocated = 0
        self.credits: list[tuple[str, str]] = []  # (resource path, id)
        self.payments: list[str] = []

    def _contact(self, name: str) -> str:
        found = self.xero.get("Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"]
        if found:
            return found[0]["ContactID"]
        return self.xero.put("Contacts", {"Name": name}).json()["Contacts"][0]["ContactID"]

    def apply(self, kind: str, cents: int, days: int, pick: int) -> None:
        xero = self.xero
        amount = f"{Decimal(cents) / 100:.2f}"
        day = (self.today - timedelta(days=days)).isoformat()
        customer = {"ContactID": self.customer}
        answer = None
        if kind in ("invoice", "bill"):
            sale = kind == "invoice"
            answer = xero.put(
                "Invoices",
                {
                    "Type": "ACCREC" if sale else "ACCPAY",
                    "Contact": customer if sale else {"ContactID": self.supplier},
                    "Status": "AUTHORISED",
                    "Date": day,
                    "DueDate": day,
                    "LineItems": [
                        {
                            "Description": "x",
                            "UnitAmount": amount,
                            "AccountCode": "200" if sale else "429",
                        }
                    ],
                },
            )
            if answer.status_code == 200:
                made = answer.json()["Invoices"][0]["InvoiceID"]
                self.invoices.append(made)
                if sale:
                    self.sales.append(made)
        elif kind == "pay" and self.invoices:
            invoice_id = self.invoices[pick % len(self.invoices)]
            due = xero.get(f"Invoices/{invoice_id}").json()["Invoices"][0]["AmountDue"]
            part = (Decimal(str(due)) * Decimal(pick + 1) / 11).quantize(Decimal("0.01"))
            answer = xero.put(
                "Payments",
                {
                    "Invoice": {"InvoiceID": invoice_id},
                    "Account": {"Code": "090"},
                    "Amount": str(part),
                    "Date": self.today.isoformat(),
                },
            )
            if answer.status_code == 200:
                self.payments.append(answer.json()["Payments"][0]["PaymentID"])
        elif kind == "credit":
            answer = xero.put(
                "CreditNotes",
                {
                    "Type": "ACCRECCREDIT",
                    "Contact": customer,
                    "Status": "AUTHORISED",
                    "Date": day,
                    "LineItems": [{"Description": "x", "UnitAmount": amount, "AccountCode": "200"}],
                },
            )
            if answer.status_code == 200:
                self.credits.append(
                    ("CreditNotes", answer.json()["CreditNotes"][0]["CreditNoteID"])
                )
        elif kind == "prepay":
            answer = xero.put(
                "BankTransactions",
                {
                    "Type": "RECEIVE-PREPAYMENT",
                    "Contact": customer,
                    "BankAccount": {"Code": "090"},
                    "Date": day,
                    "LineItems": [{"Description": "x", "UnitAmount": amount, "AccountCode": "200"}],
                },
            )
            if answer.status_code == 200:
                self.credits.append(
                    ("Prepayments", answer.json()["BankTransactions"][0]["PrepaymentID"])
                )
        elif kind == "allocate" and self.credits and self.sales:
            path, credit_id = self.credits[pick % len(self.credits)]
            invoice_id = self.sales[(pick * 7) % len(self.sales)]
            # A share of what both sides still have, so that most allocations go through.
            remaining = Decimal(
                str(xero.get(f"{path}/{credit_id}").json()[path][0]["RemainingCredit"])
            )
            due = Decimal(
                str(xero.get(f"Invoices/{invoice_id}").json()["Invoices"][0]["AmountDue"])
            )
            share = (min(remaining, due) * Decimal(pick + 1) / 11).quantize(Decimal("0.01"))
            answer = xero.put(
                f"{path}/{credit_id}/Allocations",
                {
                    "Allocations": [
                        {
                            "Invoice": {"InvoiceID": invoice_id},
                            "Amount": str(share),
                            "Date": self.today.isoformat(),
                        }
                    ]
                },
            )
            self.allocated += answer.status_code == 200
        elif kind in ("spend", "receive"):
            answer = xero.put(
                "BankTransactions",
                {
                    "Type": kind.upper(),
                    "Contact": customer,
                    "BankAccount": {"Code": "090"},
                    "Date": day,
                    "LineItems": [
                        {
                            "Description": "x",
                            "UnitAmount": amount,
                            "AccountCode": "429" if kind == "spend" else "260",
                        }
                    ],
                },
            )
        elif kind == "transfer":
            answer = xero.put(
                "BankTransfers",
                {
                    "BankTransfers": [
                        {
                            "FromBankAccount": {"Code": "090"},
                            "ToBankAccount": {"Code": "091"},
                            "Amount": amount,
                            "Date": day,
                        }
                    ]
                },
            )
        elif kind == "journal":
            answer = xero.put(
                "ManualJournals",
                {
                    "Narration": "Property",
                    "Status": "POSTED",
                    "Date": day,
                    "JournalLines": [
                        {"AccountCode": "469", "LineAmount": amount},
                        {"AccountCode": "880", "LineAmount": f"-{amount}"},
                    ],
                },
            )
        elif kind == "void" and self.invoices:
            answer = xero.post(
                f"Invoices/{self.invoices[pick % len(self.invoices)]}", {"Status": "VOIDED"}
            )
        elif kind == "unpay" and self.payments:
            answer = xero.post(
                f"Payments/{self.payments[pick % len(self.payments)]}", {"Status": "DELETED"}
            )
        # Refusals are part of the sequence (an allocation larger than what is due, a void
        # of a paid invoice); what is never allowed is a failure of the sandbox itself.
        if answer is not None:
            assert answer.status_code in (200, 400), answer.text


ALLOCATED: list[int] = []


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_random_documents_keep_the_properties(xero: Xero, xero_sandbox, operations) -> None:
    today = today_of(xero_sandbox)
    books = Books(xero, today)
    # Each sequence has an invoice and credit to allocate between, whatever else it does.
    cents = operations[0][1]
    opening = [("invoice", cents * 2, 5, 0), ("credit", cents, 4, 0), ("prepay", cents, 3, 0)]
    for operation in [*opening, *operations, ("allocate", 0, 0, len(operations))]:
        books.apply(*operation)
    ALLOCATED.append(books.allocated)
    check_trial_balance(fetch(xero, "TrialBalance", date=today))
    start = year_start(xero, xero_sandbox, today)
    profit = figures(fetch(xero, "ProfitAndLoss", fromDate=start, toDate=today))["Net Profit"][0]
    check_balance_sheet(fetch(xero, "BalanceSheet", date=today), profit)
    mine = {"where": f'Contact.ContactID==Guid("{books.customer}")'}
    invoices = xero.get("Invoices", params={**mine, "page": 1, "pageSize": 1000}).json()["Invoices"]
    assert all(Decimal(str(i["AmountDue"])) >= 0 for i in invoices)
    owed = sum(
        (
            Decimal(str(i["AmountDue"]))
            for i in invoices
            if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
        ),
        Decimal(0),
    )
    notes = xero.get("CreditNotes", params=mine).json()
    prepaid = xero.get("Prepayments", params=mine).json()
    credit = sum(
        (
            Decimal(str(c["RemainingCredit"]))
            for c in [*notes["CreditNotes"], *prepaid["Prepayments"]]
            if c["Status"] == "AUTHORISED"
        ),
        Decimal(0),
    )
    assert all(Decimal(str(c["RemainingCredit"])) >= 0 for c in notes["CreditNotes"])
    aged = fetch(xero, "AgedReceivablesByContact", contactId=books.customer, date=today)
    check_aged(aged, owed - credit)
    # Row by row: each invoice's due, each credit's remaining credit (as a negative).
    expected = {
        i["InvoiceID"]: Decimal(str(i["AmountDue"]))
        for i in invoices
        if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
    }
    for key, found in (
        ("CreditNoteID", notes["CreditNotes"]),
        ("PrepaymentID", prepaid["Prepayments"]),
    ):
        expected |= {
            c[key]: -Decimal(str(c["RemainingCredit"]))
            for c in found
            if c["Status"] == "AUTHORISED"
        }
    assert aged_rows(aged) == expected


def test_the_random_sequences_allocated_credit() -> None:
    """The sequences above did allocate credit (else their aged check proves little); runs
    after them, in file order."""
    if not ALLOCATED:
        pytest.skip("the random sequences did not run")
    assert sum(ALLOCATED) > 0
