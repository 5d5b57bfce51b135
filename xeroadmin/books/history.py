"""A record's History and Notes as a person reads them: each event once, with its real author.

Xero writes its own entry for a change made through the API ("Approved", by the app), and the
product adds a note saying who did it ("Approved in xeroadmin by alice@…"). Shown apart they
read as two events by two authors; here they are one line: "Approved by alice@… via
xeroadmin". A note typed by a person carries its author (`note_signature`), so it shows that
person rather than the app Xero records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from xeroadmin.xero.dates import parse_datetime

APP = "xeroadmin"
OURS = re.compile(rf"^(?P<what>[A-Z][\w ]*?) in {APP} by (?P<who>\S+@\S+)$")
SIGNED = re.compile(rf"^(?P<text>.*?) — (?P<who>\S+@\S+) via {APP}$", re.DOTALL)
# Xero's word for the change our note describes ("Edited" is Xero's "Updated" for some kinds).
SAME = {"Edited": {"Edited", "Updated"}, "Created": {"Created"}}
NEAR = timedelta(minutes=2)


@dataclass
class Line:
    what: str
    details: str
    who: str
    when: datetime | None


def note_signature(text: str, email: str) -> str:
    """A person's note as written to Xero, signed so every reader knows who wrote it."""
    return f"{text} — {email} via {APP}"


def history_lines(records: list[dict[str, Any]]) -> list[Line]:
    """Xero's history records (newest first, as Xero answers) as lines, our notes folded into
    the entries they describe."""
    lines = [_line(record) for record in records]
    ours = [i for i, record in enumerate(records) if _ours(record)]
    folded: set[int] = set()
    for index in ours:
        match = _ours(records[index])
        assert match is not None
        what, who = match.group("what"), match.group("who")
        twin = _twin(records, lines, index, what, folded)
        if twin is None:
            lines[index] = Line(what, "", f"{who} via {APP}", lines[index].when)
            continue
        folded.add(index)
        lines[twin].who = f"{who} via {APP}"
    return [line for i, line in enumerate(lines) if i not in folded]


def _ours(record: dict[str, Any]) -> re.Match[str] | None:
    if record.get("Changes") != "Note":
        return None
    return OURS.match(str(record.get("Details") or "").strip())


def _line(record: dict[str, Any]) -> Line:
    when = parse_datetime(record.get("DateUTCString")) or parse_datetime(record.get("DateUTC"))
    details = str(record.get("Details") or "").strip()
    who = str(record.get("User") or "")
    signed = SIGNED.match(details) if record.get("Changes") == "Note" else None
    if signed:
        details, who = signed.group("text"), f"{signed.group('who')} via {APP}"
    return Line(str(record.get("Changes") or ""), details, who, when)


def _twin(
    records: list[dict[str, Any]], lines: list[Line], index: int, what: str, taken: set[int]
) -> int | None:
    """The entry of Xero's own that our note at `index` describes: the same change, close in
    time, not already claimed, and not a note."""
    words = SAME.get(what, {what})
    when = lines[index].when
    for other, record in enumerate(records):
        if other == index or other in taken or record.get("Changes") == "Note":
            continue
        if record.get("Changes") not in words:
            continue
        theirs = lines[other].when
        close = when is None or theirs is None or abs(theirs - when) <= NEAR
        if close and not lines[other].who.endswith(f"via {APP}"):
            return other
    return None
