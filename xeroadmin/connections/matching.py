"""Suggesting which client an organisation belongs to, by how alike their names are."""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from xeroadmin.tenancy.models import Client

# Words that say what kind of company it is, not which one.
_NOISE = re.compile(
    r"\b(ltd|limited|pty|plc|inc|llc|llp|co|company|corp|corporation|group|holdings|the|and|nz|au|uk|us)\b"
)
THRESHOLD = 0.6


def normalise(name: str) -> str:
    text = re.sub(r"[^a-z0-9 ]+", " ", name.lower().replace("&", " and "))
    return " ".join(_NOISE.sub(" ", text).split())


def similarity(a: str, b: str) -> float:
    """How alike two company names are, from 0 to 1, ignoring legal suffixes and punctuation."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return SequenceMatcher(None, a.lower(), b.lower()).ratio()
    if left == right:
        return 1.0
    ratio = SequenceMatcher(None, left, right).ratio()
    # "Acme" and "Acme Plumbing": one name inside the other is a strong hint.
    if left in right or right in left:
        ratio = max(ratio, 0.8)
    return ratio


def best_client(name: str, clients: Iterable[Client]) -> Client | None:
    """The client most like the organisation's name, if any is alike enough."""
    scored = [(similarity(name, c.name), c) for c in clients]
    scored = [(score, c) for score, c in scored if score >= THRESHOLD]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[0], -pair[1].pk))[1]
