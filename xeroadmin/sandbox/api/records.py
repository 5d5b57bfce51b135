"""What any record may carry: its history and notes, and its attachments (within Xero's
limits: at most 10 files of 10 MB each)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    body_list,
    envelope,
    method_not_allowed,
)
from xeroadmin.sandbox.core import XeroError, msdate, new_id, not_found, validation_error

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_NOTE = 2500
_BAD_FILENAME = re.compile(r'[<>:"/\\|?*\x00+]')
Record = dict[str, Any]


def history(call: Call, record_id: str) -> Reply:
    records = call.org.history.get(record_id, [])
    if call.method == "GET":
        shown = records or [
            {
                "Changes": "Created",
                "DateUTC": call.org.created,
                "User": "System Generated",
                # Xero's first entry names what was created, never "Created: Created."
                "Details": "",
            }
        ]
        return envelope(call, "HistoryRecords", [_history_out(r) for r in reversed(shown)])
    if call.method in ("PUT", "POST"):
        notes = body_list(call, "HistoryRecords")
        added = []
        for note in notes:
            details = note.get("Details")
            if not isinstance(details, str) or not details.strip():
                raise validation_error(["Details must be provided for a history note."])
            if len(details) > MAX_NOTE:
                raise validation_error([f"Details must be {MAX_NOTE} characters or fewer."])
            added.append(
                {
                    "Changes": "Note",
                    "DateUTC": call.now,
                    "User": "System Generated",
                    "Details": details,
                }
            )
        call.org.history[record_id] = [*records, *added]
        return envelope(call, "HistoryRecords", [_history_out(r) for r in added])
    raise method_not_allowed()


def _history_out(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "Changes": record["Changes"],
        "DateUTCString": record["DateUTC"].strftime("%Y-%m-%dT%H:%M:%S"),
        "DateUTC": msdate(record["DateUTC"]),
        "User": record["User"],
        "Details": record["Details"],
    }


def attachments(call: Call, record_id: str, record: dict[str, Any]) -> Reply:
    org, seg = call.org, call.segments
    files = org.attachments.setdefault(record_id, [])
    resource = seg[0]
    if len(seg) == 3:
        if call.method != "GET":
            raise method_not_allowed()
        return envelope(
            call, "Attachments", [_attachment_out(call, resource, record_id, f) for f in files]
        )
    name = seg[3]
    if call.method == "GET":
        found = next(
            (f for f in files if f["AttachmentID"] == name.lower() or f["FileName"] == name), None
        )
        if found is None:
            raise not_found()
        # The file's own type when the client accepts it, else octet-stream (the contract's).
        accepted = call.headers.get("accept", "")
        mime = found["MimeType"] if found["MimeType"] in accepted else "application/octet-stream"
        return Reply(
            200,
            found["Data"],
            content_type=mime,
            headers={"Content-Disposition": _disposition(found["FileName"])},
        )
    if call.method not in ("PUT", "POST"):
        raise method_not_allowed()
    if _BAD_FILENAME.search(name) or not name.strip():
        raise validation_error(['The file name may not contain < > : " / \\ | ? * or +.'])
    if len(call.body) > MAX_ATTACHMENT_BYTES:
        raise XeroError(
            413,
            {
                "Title": "Request Entity Too Large",
                "Status": 413,
                "Detail": "Attachments may be at most 10 MB.",
            },
        )
    if not call.body:
        raise validation_error(["The attachment is empty."])
    existing = next((f for f in files if f["FileName"] == name), None)
    if existing is None and len(files) >= MAX_ATTACHMENTS:
        raise validation_error([f"A document can have at most {MAX_ATTACHMENTS} attachments."])
    mime = call.headers.get("content-type") or "application/octet-stream"
    if mime.startswith("application/json"):
        mime = "application/octet-stream"
    entry = existing or {"AttachmentID": new_id(), "FileName": name}
    entry.update(
        Data=call.body,
        MimeType=mime,
        ContentLength=len(call.body),
        IncludeOnline=call.arg_bool("IncludeOnline"),
    )
    if existing is None:
        files.append(entry)
    record["HasAttachments"] = True
    return envelope(call, "Attachments", [_attachment_out(call, resource, record_id, entry)])


def _disposition(name: str) -> str:
    """`attachment` with the file's name for every client: an ASCII stand-in in `filename` and
    the name itself in RFC 5987's `filename*` (headers carry Latin-1 only)."""
    plain = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _attachment_out(
    call: Call, resource: str, record_id: str, entry: dict[str, Any]
) -> dict[str, Any]:
    return {
        "AttachmentID": entry["AttachmentID"],
        "FileName": entry["FileName"],
        "Url": f"{call.base_url}/api.xro/2.0/{resource}/{record_id}/Attachments/"
        + quote(entry["FileName"], safe=""),
        "MimeType": entry["MimeType"],
        "ContentLength": entry["ContentLength"],
        "IncludeOnline": entry.get("IncludeOnline", False),
    }


def history_of(id_field: str) -> Any:
    """The `History` sub-resource of records whose id is `id_field`."""
    return lambda call, record: history(call, record[id_field])


def attachments_of(id_field: str) -> Any:
    """The `Attachments` sub-resource of records whose id is `id_field`."""
    return lambda call, record: attachments(call, record[id_field], record)
