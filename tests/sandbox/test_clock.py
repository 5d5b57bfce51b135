"""The sandbox's seeded books never lie in its own future, whatever the hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from xeroadmin.sandbox.app import Config, Sandbox


@pytest.mark.parametrize("moment", ["00:00:30", "05:11:00", "10:30:00", "23:59:59"])
def test_it_never_stamps_a_record_after_its_own_now(moment: str) -> None:
    today = datetime.now(UTC).date().isoformat()
    with time_machine.travel(datetime.fromisoformat(f"{today}T{moment}+00:00"), tick=False):
        sandbox = Sandbox(Config(orgs=2, invoices_per_org=200, contacts_per_org=20))
        now = sandbox.state.clock.now()
        for org in sandbox.state.orgs.values():
            kinds = (org.contacts, org.items, org.accounts, org.invoices, org.payments)
            stamps = [r["UpdatedDateUTC"] for kind in kinds for r in kind.values()]
            assert stamps
            assert max(stamps) <= now
