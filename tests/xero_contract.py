"""Xero's published contract (../shared/xero-openapi), used to validate the sandbox's answers."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = Path(os.environ.get("XERO_OPENAPI_DIR", ROOT.parent / "shared" / "xero-openapi"))
MISSING = f"Xero's OpenAPI files are not at {SPEC_DIR} (set XERO_OPENAPI_DIR)"


def require_spec() -> None:
    """Skip (or, with XERO_OPENAPI_REQUIRED=1, fail) when the contract files are absent."""
    if (SPEC_DIR / "xero_accounting.yaml").exists():
        return
    if os.environ.get("XERO_OPENAPI_REQUIRED") == "1":
        pytest.fail(f"XERO_OPENAPI_REQUIRED=1 but {MISSING}")
    pytest.skip(MISSING)


def _xero_date_time(value: object) -> bool:
    """RFC 3339, or the zone-less ISO form of Xero's own examples and answers
    (`2019-12-07T18:46:19.5165400`), which the spec's `date-time` format would reject."""
    if not isinstance(value, str):
        return True
    return bool(
        re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", value)
    )


@functools.cache
def spec(name: str) -> Any:
    from openapi_core import Config, OpenAPI

    # Xero's files carry string defaults on booleans, which a strict spec validator rejects.
    config = Config(spec_validator_cls=None, extra_format_validators={"date-time": _xero_date_time})
    return OpenAPI.from_file_path(str(SPEC_DIR / name), config=config)


def _as_xero(prepared: requests.PreparedRequest) -> tuple[str, requests.PreparedRequest] | None:
    """The same request addressed to Xero's real servers, and the spec that describes it."""
    parts = urlsplit(prepared.url or "")
    path = parts.path
    if path.startswith("/api.xro/2.0/"):
        name = "xero_accounting.yaml"
    elif path.lower().startswith("/connections"):
        name = "xero-identity.yaml"
        path = "/Connections" + path[len("/connections") :]
    else:
        return None
    copy = prepared.copy()
    copy.url = urlunsplit(("https", "api.xero.com", path, parts.query, ""))
    return name, copy


def validate(response: requests.Response) -> None:
    """Validate a sandbox answer (and the request that caused it) against Xero's contract."""
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    mapped = _as_xero(response.request)
    if mapped is None:
        return
    name, request = mapped
    from openapi_core.templating.paths.exceptions import PathNotFound
    from openapi_core.templating.responses.exceptions import ResponseNotFound

    try:
        spec(name).validate_response(
            RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response)
        )
    except (ResponseNotFound, PathNotFound):
        # The contract declares no such path, or no body for this status on this operation
        # (401, 403, 429 ...): those answers are asserted by the behaviour tests instead.
        return


def validating_session() -> requests.Session:
    """A session whose every answer from an API path is checked against the contract."""
    session = requests.Session()

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.status_code < 500:
            validate(response)

    session.hooks["response"].append(hook)
    return session


@functools.cache
def _webhook_validator() -> Any:
    import yaml
    from openapi_schema_validator import OAS31Validator

    document = yaml.safe_load((SPEC_DIR / "xero-webhooks.yaml").read_text())
    schema = {"$ref": "#/components/schemas/WebhookEvent", "components": document["components"]}
    return OAS31Validator(schema)


# Event categories Xero added after the local file was published (OpenAPI 17.0.0 and later:
# XERO_FACTS section 4). Their events share every other field's shape; the file cannot name them.
NEWER_CATEGORIES = {"PREPAYMENT", "OVERPAYMENT"}


def validate_webhook(payload: dict[str, Any]) -> None:
    """Validate a delivered webhook body against `WebhookEvent` in xero-webhooks.yaml (an
    event of a newer category as the file's invoice events, its category aside)."""
    events = [
        {**e, "eventCategory": "INVOICE"} if e.get("eventCategory") in NEWER_CATEGORIES else e
        for e in payload.get("events", [])
    ]
    _webhook_validator().validate({**payload, "events": events})
