"""Each organisation's receivables, payables, ageing and drafts, from the mirror alone, in its
base currency (a foreign-currency invoice at its own rate, rounded to the cent as Xero rounds
each document: the figures the organisation's home shows).

Performance: over 200 organisations of 500 invoices, counting them all took several times as
long as the rest of the dashboard, so each organisation's figures are kept in the cache under
its invoice version (`books.mirror.invoices_version`, changed by every write to its invoices or
payments) and the day they are aged on. A page reads every organisation's in two cache reads
and works out only the ones missing, in a constant number of queries. `make bench
BENCH=portfolio` measures the dashboard both ways.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from xeroadmin.books.mirror import invoices_versions
from xeroadmin.books.models import Invoice, Payment
from xeroadmin.books.selectors import AGEING, OPEN, due_range, outstanding_on
from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio.models import KeptFigures

CENT = Decimal("0.01")
ZERO = Decimal("0")
SALES, BILLS = Invoice.Type.SALES, Invoice.Type.BILL


@dataclass
class Figures:
    """One organisation's books on one day, in its base currency."""

    receivable: Decimal = ZERO
    receivable_count: int = 0
    overdue: Decimal = ZERO
    overdue_count: int = 0
    ageing: dict[str, Decimal] = field(default_factory=lambda: {k: ZERO for k, *_ in AGEING})
    payable: Decimal = ZERO
    payable_count: int = 0
    payable_overdue: Decimal = ZERO
    payable_overdue_count: int = 0
    drafts: int = 0
    drafts_value: Decimal = ZERO
    approval: int = 0
    approval_value: Decimal = ZERO
    oldest_due: date | None = None
    # Sales invoices outstanding at each of the 12 month ends to the day (the last point is
    # the day itself), per invoice currency.
    trend: dict[str, list[Decimal]] = field(default_factory=dict)

    def oldest_days(self, as_of: date) -> int | None:
        """How many days past due the oldest overdue sales invoice is."""
        return (as_of - self.oldest_due).days if self.oldest_due else None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: str(value)
            for name, value in vars(self).items()
            if name not in ("ageing", "trend")
        }
        data["oldest_due"] = self.oldest_due.isoformat() if self.oldest_due else None
        return data | {
            "ageing": {key: str(value) for key, value in self.ageing.items()},
            "trend": {code: [str(v) for v in line] for code, line in self.trend.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        figure = cls()
        for name, value in data.items():
            if name == "ageing":
                figure.ageing = {key: Decimal(amount) for key, amount in value.items()}
            elif name == "trend":
                figure.trend = {code: [Decimal(v) for v in line] for code, line in value.items()}
            elif name == "oldest_due":
                figure.oldest_due = date.fromisoformat(value) if value else None
            elif name.endswith(("_count",)) or name in ("drafts", "approval"):
                setattr(figure, name, int(value))
            else:
                setattr(figure, name, Decimal(value))
        return figure


def figures(tenants: Iterable[Tenant], as_of: date) -> dict[int, Figures]:
    """{tenant pk: its Figures on `as_of`}: those kept at the current version read back, the
    rest worked out and kept (a constant number of queries whatever the number of tenants)."""
    tenants = list(tenants)
    versions = invoices_versions(tenants)
    kept = KeptFigures.objects.filter(tenant_id__in=versions, as_of=as_of).values_list(
        "tenant_id", "version", "data"
    )
    found = {pk: Figures.from_json(data) for pk, version, data in kept if version == versions[pk]}
    missing = [pk for pk in versions if pk not in found]
    if missing:
        worked = _work_out(missing, as_of)
        KeptFigures.objects.bulk_create(
            [
                KeptFigures(
                    tenant_id=pk, as_of=as_of, version=versions[pk], data=worked[pk].to_json()
                )
                for pk in missing
            ],
            update_conflicts=True,
            unique_fields=["tenant", "as_of"],
            update_fields=["version", "data"],
        )
        # Only today's and the day asked for are kept.
        KeptFigures.objects.filter(tenant_id__in=missing).exclude(
            as_of__in=(as_of, timezone.localdate())
        ).delete()
        found.update(worked)
    return found


def _work_out(tenant_pks: list[int], as_of: date) -> dict[int, Figures]:
    """The figures of these organisations, in four queries whatever their number."""
    result = {pk: Figures() for pk in tenant_pks}
    invoices = Invoice.objects.filter(tenant_id__in=tenant_pks).order_by()
    owed: QuerySet[Any] = outstanding_on(invoices, as_of)  # annotated with `owed`
    sales, bills, late = Q(type=SALES), Q(type=BILLS), Q(due_date__lt=as_of)
    # Counts over every currency; amounts in the database only where no conversion is needed.
    counts = owed.values("tenant_id").annotate(
        receivable_count=Count("pk", filter=sales),
        overdue_count=Count("pk", filter=sales & late),
        payable_count=Count("pk", filter=bills),
        payable_overdue_count=Count("pk", filter=bills & late),
        oldest_due=Min("due_date", filter=sales & late),
    )
    for row in counts:
        figure = result[row.pop("tenant_id")]
        for name, value in row.items():
            setattr(figure, name, value or (None if name == "oldest_due" else 0))
    buckets = {f"age_{k}": Sum("owed", filter=sales & due_range(k, as_of)) for k, *_ in AGEING}
    sums = (
        owed.filter(currency_rate=1)
        .values("tenant_id")
        .annotate(
            receivable=Sum("owed", filter=sales),
            overdue=Sum("owed", filter=sales & late),
            payable=Sum("owed", filter=bills),
            payable_overdue=Sum("owed", filter=bills & late),
            **buckets,
        )
    )
    for row in sums:
        _add(result[row.pop("tenant_id")], row)
    foreign = owed.exclude(currency_rate=1).values_list(
        "tenant_id", "type", "due_date", "owed", "currency_rate"
    )
    for tenant_pk, kind, due, amount, rate in foreign:
        _add(result[tenant_pk], _one(kind, due, _base(amount, rate), as_of))
    waiting = invoices.filter(status__in=("DRAFT", "SUBMITTED")).values_list(
        "tenant_id", "status", "total", "currency_rate"
    )
    for tenant_pk, status, total, rate in waiting:
        figure = result[tenant_pk]
        if status == "DRAFT":
            figure.drafts += 1
            figure.drafts_value += _base(total, rate)
        else:
            figure.approval += 1
            figure.approval_value += _base(total, rate)
    _trend(tenant_pks, as_of, result)
    return result


def _trend(tenant_pks: list[int], as_of: date, result: dict[int, Figures]) -> None:
    """Each organisation's sales invoices outstanding at each month's end (two queries): what
    was due then is what is due now plus what has been paid since."""
    ends = month_ends(as_of)
    sales = Invoice.objects.filter(
        tenant_id__in=tenant_pks, type=SALES, status__in=(*OPEN, "PAID")
    ).order_by()
    due = sales.values("tenant_id", "currency_code").annotate(
        **{f"m{i}": Sum("amount_due", filter=Q(date__lte=end)) for i, end in enumerate(ends)}
    )
    paid = (
        Payment.objects.filter(
            tenant_id__in=tenant_pks,
            status="AUTHORISED",
            invoice__type=SALES,
            invoice__status__in=(*OPEN, "PAID"),
        )
        .order_by()
        .values("tenant_id", "invoice__currency_code")
        .annotate(
            **{
                f"m{i}": Sum("amount", filter=Q(date__gt=end, invoice__date__lte=end))
                for i, end in enumerate(ends)
            }
        )
    )
    for row in due:
        line = result[row["tenant_id"]].trend.setdefault(row["currency_code"], [ZERO] * len(ends))
        for i in range(len(ends)):
            line[i] += row[f"m{i}"] or ZERO
    for row in paid:
        trend = result[row["tenant_id"]].trend
        line = trend.setdefault(row["invoice__currency_code"], [ZERO] * len(ends))
        for i in range(len(ends)):
            line[i] += row[f"m{i}"] or ZERO


def month_ends(day: date, months: int = 12) -> list[date]:
    """The last day of each of the `months - 1` months before `day`'s, then `day` itself."""
    ends, first = [], day.replace(day=1)
    for _ in range(months - 1):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return [*reversed(ends), day]


def trend_of(found: Iterable[Figures], as_of: date) -> dict[str, list[tuple[date, Decimal]]]:
    """The organisations' trends added up per currency, each point with its day."""
    ends = month_ends(as_of)
    total: dict[str, list[Decimal]] = {}
    for figure in found:
        for code, line in figure.trend.items():
            into = total.setdefault(code, [ZERO] * len(ends))
            for i, amount in enumerate(line):
                into[i] += amount
    return {code: list(zip(ends, line, strict=True)) for code, line in sorted(total.items())}


def _base(amount: Decimal, rate: Decimal | None) -> Decimal:
    return (amount / rate).quantize(CENT, ROUND_HALF_UP) if rate and rate != 1 else amount


def _one(kind: str, due: date | None, amount: Decimal, as_of: date) -> dict[str, Any]:
    """One foreign-currency invoice's part of the sums, as `_add` takes them."""
    late = due is not None and due < as_of
    if kind != SALES:
        return {"payable": amount, "payable_overdue": amount if late else ZERO}
    days = (as_of - due).days if due is not None else 0
    bucket = next(
        key
        for key, _, first, last in AGEING
        if (first is None or days >= first) and (last is None or days <= last)
    )
    return {"receivable": amount, "overdue": amount if late else ZERO, f"age_{bucket}": amount}


def _add(figure: Figures, sums: dict[str, Any]) -> None:
    for name, value in sums.items():
        if not value:
            continue
        if name.startswith("age_"):
            figure.ageing[name[4:]] += value
        else:
            setattr(figure, name, getattr(figure, name) + value)
