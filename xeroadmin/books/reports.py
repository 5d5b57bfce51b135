"""Xero's reports for the report pages: read through the governed client, kept for a short
while under the organisation's books version (any change to its books that reaches the mirror,
by sync, webhook or our own write, makes a new version and so a fresh read), and turned from
Xero's rows and cells into a table of labels and numbers that pages, CSV and Excel share.

Aged receivables and payables are worked out from the mirror instead: Xero's API gives them
one contact at a time (`AgedReceivablesByContact` needs a `contactId`), so a summary of every
contact would cost a call per contact.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.cache import cache
from django.utils import timezone

from xeroadmin.books.document_selectors import PAYABLE_CREDIT, RECEIVABLE_CREDIT, credit_left
from xeroadmin.books.mirror import invoices_version
from xeroadmin.books.models import Contact
from xeroadmin.books.selectors import AGEING, outstanding_on
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant

# How long a report read from Xero is shown before it is read again, even with no change
# seen (a change made in Xero's own app reaches the mirror only with the next sync).
KEEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Spec:
    slug: str
    xero: str  # the report's name in Xero's API
    title: str


SPECS = (
    Spec("profit-and-loss", "ProfitAndLoss", "Profit and loss"),
    Spec("balance-sheet", "BalanceSheet", "Balance sheet"),
    Spec("trial-balance", "TrialBalance", "Trial balance"),
    Spec("bank-summary", "BankSummary", "Bank summary"),
)
BY_SLUG = {spec.slug: spec for spec in SPECS}


@dataclass
class Line:
    """One line of a report: a section's title, an account's row, or a total."""

    kind: str  # "section", "row" or "total"
    label: str
    values: list[str] = field(default_factory=list)  # as Xero wrote them ("1234.50", "")
    account: str = ""  # the account's Xero id, when the row is an account's

    @property
    def numbers(self) -> list[Decimal | None]:
        return [number(v) for v in self.values]


@dataclass
class Report:
    title: str
    titles: list[str]
    columns: list[str]
    lines: list[Line]
    fetched_at: datetime

    def line(self, label: str) -> Line | None:
        return next((line for line in self.lines if line.label == label), None)


def number(text: str) -> Decimal | None:
    """A cell's value as a number, or None for text and blanks."""
    try:
        return Decimal(text) if text not in ("", None) else None
    except InvalidOperation:
        return None


def parse(body: Mapping[str, Any], title: str) -> Report:
    """Xero's report (`Reports[0]`: a header, sections of rows and summary rows) as a Report."""
    reports = body.get("Reports") if isinstance(body, Mapping) else None
    found: Mapping[str, Any] = reports[0] if isinstance(reports, list) and reports else {}
    columns: list[str] = []
    lines: list[Line] = []

    def cells(row: Mapping[str, Any]) -> list[str]:
        return [str((c or {}).get("Value") or "") for c in row.get("Cells") or []]

    def walk(rows: Iterable[Any]) -> None:
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            kind = row.get("RowType")
            if kind == "Header":
                columns[:] = cells(row)[1:]
            elif kind == "Section":
                if row.get("Title"):
                    lines.append(Line("section", str(row["Title"])))
                walk(row.get("Rows") or [])
            elif kind in ("Row", "SummaryRow"):
                label, *values = cells(row) or [""]
                first = (row.get("Cells") or [{}])[0] or {}
                account = next(
                    (
                        str(a.get("Value"))
                        for a in first.get("Attributes") or []
                        if a.get("Id") in ("account", "accountID")
                    ),
                    "",
                )
                lines.append(Line("row" if kind == "Row" else "total", label, values, account))

    walk(found.get("Rows") or [])
    titles = [str(t) for t in found.get("ReportTitles") or []]
    return Report(title, titles, columns, lines, timezone.now())


def report_read(*, tenant: Tenant, spec: Spec, params: Mapping[str, str]) -> Report:
    """The report as Xero gives it for these arguments: the kept copy while the books are
    unchanged and it is younger than KEEP, else read again (one call) and kept."""
    params = {k: v for k, v in params.items() if v}
    asked = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    digest = hashlib.sha256(asked.encode()).hexdigest()[:16]
    key = f"report:{tenant.pk}:{invoices_version(tenant)}:{spec.xero}:{digest}"
    kept = cache.get(key)
    if kept is not None:
        return _loaded(kept)
    body = tenant_client(tenant, purpose="read").get(f"Reports/{spec.xero}", params)
    report = parse(body or {}, spec.title)
    cache.set(key, asdict(report), timeout=int(KEEP.total_seconds()))
    return report


def _loaded(kept: dict[str, Any]) -> Report:
    lines = [Line(**line) for line in kept["lines"]]
    return Report(kept["title"], kept["titles"], kept["columns"], lines, kept["fetched_at"])


# ------------------------------------------------------------------ aged, from the mirror


@dataclass
class AgedRow:
    contact_xero_id: str
    contact_pk: int | None
    name: str
    buckets: list[Decimal]  # as AGEING: current, 1-30, 31-60, 61-90, over 90
    credit: Decimal  # unallocated credit (taken off)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, Decimal(0)) - self.credit

    @property
    def labelled(self) -> list[tuple[str, Decimal]]:
        """Each bucket with its label, for pages that label every cell (phones)."""
        return [
            (label, value) for (_, label, _, _), value in zip(AGEING, self.buckets, strict=True)
        ]


def aged(*, tenant: Tenant, side: str, as_of: date) -> list[AgedRow]:
    """What each contact owes (sales) or is owed (bills) on `as_of`, by days past due, less
    the credit they have not had allocated: Xero's aged receivables (payables) summary."""
    from xeroadmin.books.models import Invoice

    owed = outstanding_on(Invoice.objects.filter(tenant=tenant, type=side), as_of)
    rows: dict[str, AgedRow] = {}
    # `owed` is an annotation of outstanding_on's, which the type checker cannot see.
    for contact_id, name, due, amount in cast(Any, owed).values_list(
        "contact_xero_id", "contact_name", "due_date", "owed"
    ):
        row = rows.setdefault(
            contact_id, AgedRow(contact_id, None, name, [Decimal(0)] * len(AGEING), Decimal(0))
        )
        late = (as_of - due).days if due else 0
        row.buckets[_bucket(late)] += amount or 0
    types = RECEIVABLE_CREDIT if side == "ACCREC" else PAYABLE_CREDIT
    for contact_id, left in credit_left(tenant=tenant, types=types).items():
        if contact_id in rows:
            rows[contact_id].credit = left
        elif left:
            rows[contact_id] = AgedRow(contact_id, None, "", [Decimal(0)] * len(AGEING), left)
    contacts = dict(
        Contact.objects.filter(tenant=tenant, xero_id__in=rows).values_list("xero_id", "pk")
    )
    names = dict(
        Contact.objects.filter(tenant=tenant, xero_id__in=rows).values_list("xero_id", "name")
    )
    for row in rows.values():
        row.contact_pk = contacts.get(row.contact_xero_id)
        row.name = row.name or names.get(row.contact_xero_id, "Unknown contact")
    return sorted((r for r in rows.values() if r.total or r.credit), key=lambda r: r.name.lower())


def _bucket(late: int) -> int:
    for index, (_, _, first, last) in enumerate(AGEING):
        if (first is None or late >= first) and (last is None or late <= last):
            return index
    return len(AGEING) - 1


def aged_report(rows: list[AgedRow], *, title: str, as_of: date) -> Report:
    """The aged summary as a Report, for export."""
    columns = [label for _, label, _, _ in AGEING] + ["Unallocated credit", "Total"]
    lines = [
        Line("row", row.name, [f"{v:.2f}" for v in (*row.buckets, -row.credit, row.total)])
        for row in rows
    ]
    sums = [sum((r.buckets[i] for r in rows), Decimal(0)) for i in range(len(AGEING))]
    credit = sum((r.credit for r in rows), Decimal(0))
    lines.append(Line("total", "Total", [f"{v:.2f}" for v in (*sums, -credit, sum(sums) - credit)]))
    return Report(title, [title, f"As at {as_of:%-d %B %Y}"], columns, lines, timezone.now())


# ------------------------------------------------------------------ export


def to_csv(report: Report) -> str:
    """The report as CSV: its titles, the header, then each line with numbers as numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    for title in report.titles:
        writer.writerow([_safe(title)])
    writer.writerow(["", *(_safe(c) for c in report.columns)])
    for line in report.lines:
        writer.writerow([_safe(line.label), *line.values])
    return out.getvalue()


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading =, +, - or @)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def to_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: numbers as numbers (two decimals), totals in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = report.title[:31]
    for title in report.titles:
        sheet.append([title])
    sheet.append(["", *report.columns])
    bold = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for line in report.lines:
        values: list[Any] = [line.label]
        values += [
            n if n is not None else v for n, v in zip(line.numbers, line.values, strict=True)
        ]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            if line.kind != "row":
                cell.font = bold
    sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ chart


@dataclass
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    height: float
    width: float

    @property
    def negative(self) -> bool:
        return self.value < 0


def bars(
    labels: list[str], values: list[Decimal | None], *, width: int = 600, height: int = 160
) -> tuple[list[Bar], float]:
    """Bars for an SVG chart of `values` (oldest first), and where the zero line is."""
    numbers = [v or Decimal(0) for v in values]
    top = max([*numbers, Decimal(0)])
    bottom = min([*numbers, Decimal(0)])
    span = (top - bottom) or Decimal(1)
    zero = float(top / span) * height
    step = width / max(len(numbers), 1)
    found = []
    for index, (label, value) in enumerate(zip(labels, numbers, strict=True)):
        size = float(abs(value) / span) * height
        y = zero - size if value >= 0 else zero
        found.append(Bar(label, value, index * step + step * 0.15, y, size, step * 0.7))
    return found, zero
