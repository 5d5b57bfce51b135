"""`/Reports/...`: the reports Xero computes, here from the sandbox's ledger (`reports.py`).

Each report takes Xero's query arguments (OAS-ACC getReportProfitAndLoss, getReportBalanceSheet,
getReportTrialBalance, getReportAgedReceivablesByContact, getReportAgedPayablesByContact,
getReportBankSummary); an argument Xero would refuse is a 400 that says which.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xeroadmin.sandbox import reports
from xeroadmin.sandbox.api.common import Call, Reply, envelope
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import InputError, not_found, parse_date, validation_error

REPORT_SCOPES: tuple[set[str], set[str]] = (
    {
        "accounting.reports.read",
        "accounting.reports.aged.read",
        "accounting.reports.balancesheet.read",
        "accounting.reports.banksummary.read",
        "accounting.reports.profitandloss.read",
        "accounting.reports.trialbalance.read",
    },
    set(),
)


def _date(call: Call, name: str) -> date | None:
    try:
        return parse_date(call.arg(name), name)
    except InputError as error:
        raise validation_error([str(error)]) from None


def _periods(call: Call) -> tuple[int, str]:
    periods = call.arg_int("periods") or 0
    if not 0 <= periods <= 12:
        raise validation_error(["periods must be a whole number from 1 to 12."])
    timeframe = (call.arg("timeframe") or "MONTH").upper()
    if timeframe not in reports.TIMEFRAMES:
        raise validation_error(["timeframe must be MONTH, QUARTER or YEAR."])
    return periods, timeframe


def _run(call: Call, name: str) -> dict[str, Any]:
    org, now = call.org, call.now
    today = now.date()
    if name == "trialbalance":
        return reports.trial_balance(org, _date(call, "date") or today, now)
    if name == "profitandloss":
        periods, timeframe = _periods(call)
        start = _date(call, "fromDate") or today.replace(day=1)
        end = _date(call, "toDate") or reports.month_end(start)
        options = {
            v.lower() for v in (call.arg("trackingOptionID"), call.arg("trackingOptionID2")) if v
        }
        return reports.profit_and_loss(org, start, end, periods, timeframe, now, options)
    if name == "balancesheet":
        periods, timeframe = _periods(call)
        return reports.balance_sheet(org, _date(call, "date") or today, periods, timeframe, now)
    if name in ("agedreceivablesbycontact", "agedpayablesbycontact"):
        contact = call.arg("contactId")
        if not contact:
            raise validation_error(["contactId is required for this report."])
        kind = "ACCREC" if name.startswith("agedreceivables") else "ACCPAY"
        return reports.aged_by_contact(
            org,
            kind,
            contact,
            _date(call, "date") or today,
            _date(call, "fromDate"),
            _date(call, "toDate"),
            now,
        )
    if name == "banksummary":
        start = _date(call, "fromDate") or today.replace(day=1)
        end = _date(call, "toDate") or today
        return reports.bank_summary(org, start, end, now)
    raise not_found("The report you're looking for cannot be found")


def _get(call: Call, found: dict[str, str]) -> Reply:
    try:
        return envelope(call, "Reports", [_run(call, found["name"])])
    except reports.ReportError as error:
        raise validation_error([str(error)]) from None


register(
    Resource(
        "Reports",
        REPORT_SCOPES,
        # Reports published in Xero's own app: none are, here.
        list=lambda call: envelope(call, "Reports", []),
        find=lambda call, key: {"name": key.lower()},
        get=_get,
    )
)
