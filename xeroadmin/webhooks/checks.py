"""The self-check: Xero's Intent to Receive, run against our own receiver."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils import timezone

from xeroadmin.connections.models import XeroApp
from xeroadmin.connections.services import webhook_url
from xeroadmin.webhooks.receiving import sign


@dataclass
class Verdict:
    signature: str
    status: int
    ms: int
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def delivery_check(app: XeroApp | None) -> list[Verdict]:
    """Sign an empty payload with the app's key (and one with a wrong key), post both to the
    app's own URL, and judge the answers as Xero's Intent to Receive does."""
    key = app.webhook_key if app is not None else settings.XERO_WEBHOOK_KEY
    url = webhook_url(app)
    verdicts = []
    for kind, signing_key in (("good", key), ("bad", secrets.token_urlsafe(32))):
        body = json.dumps(
            {
                "events": [],
                "firstEventSequence": 0,
                "lastEventSequence": 0,
                "entropy": secrets.token_hex(10).upper(),
            }
        ).encode()
        signature = sign(body, signing_key)
        started = timezone.now()
        try:
            response = requests.post(
                url,
                data=body,
                timeout=5,
                allow_redirects=False,
                headers={"Content-Type": "application/json", "x-xero-signature": signature},
            )
        except requests.RequestException as error:
            verdicts.append(Verdict(kind, 0, 0, [f"could not reach {url}: {error}"]))
            continue
        ms = int((timezone.now() - started).total_seconds() * 1000)
        expected = 200 if kind == "good" else 401
        problems = []
        if response.status_code != expected:
            problems.append(f"answered {response.status_code}, Xero expects {expected}")
        if response.content:
            problems.append("the answer had a body; Xero expects none")
        if "set-cookie" in {h.lower() for h in response.headers}:
            problems.append("the answer set a cookie; Xero expects none")
        if ms > 5000:
            problems.append("it took longer than Xero's 5 seconds")
        verdicts.append(Verdict(kind, response.status_code, ms, problems))
    return verdicts
