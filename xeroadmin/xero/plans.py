"""Xero's developer plans (from 2 March 2026): what each allows an app.

Sources: Xero's developer pricing FAQ (developer.xero.com/pricing, "Pricing and policy updates"
FAQ) for the plans, their connection caps and Starter's 1,000 calls per organisation per day
(5,000 on the others); AccountingToday's report of the monthly data-download allowances (Core
10 GB, Plus 50 GB, Advanced 250 GB). Starter's and Enterprise's allowances are not published
here: no cap is assumed. Custom Connections and a practice's own bespoke integrations are
exempt from the plans. Calls to `/Organisation` are not metered as data downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

GB = 1024**3


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    connections: int | None  # per app; None: no cap
    calls_per_day: int  # per organisation
    monthly_bytes: int | None  # data downloaded per month; None: none published
    certified: bool  # apps on this plan must be certified by Xero


PLANS = {
    plan.key: plan
    for plan in (
        Plan("starter", "Starter", 5, 1000, None, certified=False),
        Plan("core", "Core", 50, 5000, 10 * GB, certified=False),
        Plan("plus", "Plus", 1000, 5000, 50 * GB, certified=True),
        Plan("advanced", "Advanced", 10_000, 5000, 250 * GB, certified=True),
        Plan("enterprise", "Enterprise", None, 5000, None, certified=True),
    )
}
# Share of a cap at which admins are warned.
WARN_AT = 0.8
# Paths whose answers Xero does not count as data downloaded.
UNMETERED = ("Organisation",)


def plan_for(key: str) -> Plan:
    try:
        return PLANS[key.strip().lower()]
    except KeyError:
        names = ", ".join(PLANS)
        raise ValueError(f"XERO_PLAN must be one of {names}, not {key!r}") from None
