"""Suggesting which client an organisation belongs to.

Suggestions come in tiers. **Exact**: the same tax number, the same e-mail domain (not a public
mail service), or the same name once written alike ("Ltd"/"Limited", "&"/"and", punctuation,
case, a leading "The", a country in brackets). **Near**: a name alike enough to offer, for a
person to confirm. Otherwise **none**. Names that tell companies of one family apart
("Holdings", "Trading", "Trust") are kept: they are different clients.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from xeroadmin.tenancy.models import Client

EXACT = "exact"
NEAR = "near"

# Words that say what legal form a company takes, not which company it is.
_LEGAL = {
    "ltd",
    "limited",
    "pty",
    "plc",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "corp",
    "corporation",
    "gmbh",
    "nz",
    "au",
    "uk",
    "us",
}
# "Co" and "Company" only at the end ("Coastal Cafe Co"), never inside a name.
_TRAILING = {"co", "company"}
# Mail services anyone can use: two people on them are not thereby one client.
PUBLIC_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "xtra.co.nz",
        "bigpond.com",
        "btinternet.com",
        "proton.me",
        "protonmail.com",
        "aol.com",
    }
)
NEAR_THRESHOLD = 0.8


def normalise(name: str) -> str:
    """A company's name written one way: lower case, "and" for "&", no punctuation, no legal
    form, no leading "The", no country in brackets."""
    text = name.lower().replace("&", " and ").replace("+", " and ")
    text = re.sub(r"\((nz|au|uk|us|gb|new zealand|australia)\)", " ", text)
    text = re.sub(r"['\u2019`]", "", text)  # O'Brien, Baker's
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = [w for w in words if w not in _LEGAL]
    while words and words[-1] in _TRAILING:
        words.pop()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def tax_key(number: str) -> str:
    """A tax number's digits and letters only (Xero keeps them as typed: "123-456-789")."""
    return re.sub(r"[^0-9a-z]", "", (number or "").lower())


def mail_domain(email: str) -> str:
    """The domain of an e-mail address, unless it is a public mail service."""
    domain = (email or "").rpartition("@")[2].strip().lower()
    return "" if not domain or domain in PUBLIC_MAIL or "." not in domain else domain


def similarity(a: str, b: str) -> float:
    """How alike two company names are, from 0 to 1, once written alike."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return SequenceMatcher(None, a.lower(), b.lower()).ratio()
    return _score(left, right)


def _score(left: str, right: str) -> float:
    if left == right:
        return 1.0
    if left.replace(" ", "") == right.replace(" ", ""):
        return 0.95  # "Green Leaf" and "Greenleaf"
    ratio = SequenceMatcher(None, left, right).ratio()
    shorter, longer = sorted((left.split(), right.split()), key=len)
    # "Total Roofing" and "Total Roofing Solutions": one name the start of the other, with
    # at least two words in common, is a strong hint (one word is not: "Smith", "Smith Trust").
    if len(shorter) >= 2 and longer[: len(shorter)] == shorter:
        ratio = max(ratio, 0.85)
    return ratio


@dataclass(frozen=True)
class Suggestion:
    client: Client
    tier: str  # EXACT or NEAR
    reason: str

    @property
    def exact(self) -> bool:
        return self.tier == EXACT


class Matcher:
    """The workspace's clients, indexed once to suggest a client for many organisations.

    It holds plain values (so that it can be kept in the cache between pages) and makes a
    `Client` only for the suggestions it gives."""

    def __init__(self, clients: Iterable[Client]) -> None:
        self.rows: dict[int, tuple[str, int]] = {}  # pk: (name, workspace id)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_tax: dict[str, list[int]] = defaultdict(list)
        self.by_domain: dict[str, list[int]] = defaultdict(list)
        self.by_token: dict[str, set[int]] = defaultdict(set)
        self.names: dict[int, str] = {}
        for client in clients:
            key = normalise(client.name)
            self.rows[client.pk] = (client.name, client.workspace_id)
            self.names[client.pk] = key
            self.by_name[key].append(client.pk)
            if tax := tax_key(client.tax_number):
                self.by_tax[tax].append(client.pk)
            if domain := mail_domain(client.email):
                self.by_domain[domain].append(client.pk)
            for token in _tokens(key):
                self.by_token[token].add(client.pk)

    def _client(self, pk: int) -> Client:
        name, workspace_id = self.rows[pk]
        return Client(pk=pk, name=name, workspace_id=workspace_id)

    def suggest(self, name: str, *, tax_number: str = "", email: str = "") -> Suggestion | None:
        """The client this organisation most likely belongs to, and how sure that is."""
        for index, key, reason in (
            (self.by_tax, tax_key(tax_number), "same tax number"),
            (self.by_domain, mail_domain(email), "same e-mail domain"),
            (self.by_name, normalise(name), "same name"),
        ):
            found = index.get(key) if key else None
            if found and len(found) == 1:
                return Suggestion(self._client(found[0]), EXACT, reason)
            if found:
                # Two clients alike in this way: offer the first, for a person to choose.
                return Suggestion(self._client(min(found)), NEAR, f"{reason} as others")
        return self._near(normalise(name))

    def _near(self, key: str) -> Suggestion | None:
        if not key:
            return None
        candidates = set().union(*(self.by_token.get(t, set()) for t in _tokens(key)))
        best: tuple[float, int] | None = None
        for pk in candidates:
            score = _score(key, self.names[pk])
            if score >= NEAR_THRESHOLD and (best is None or (score, -pk) > (best[0], -best[1])):
                best = (score, pk)
        if best is None:
            return None
        return Suggestion(self._client(best[1]), NEAR, "similar name")


def _tokens(key: str) -> set[str]:
    """Words and word beginnings to find candidates by (a typo late in a word still shares
    its start); short words say too little."""
    words = [w for w in key.split() if len(w) >= 3]
    return set(words) | {w[:4] for w in words if len(w) > 4} | {key.replace(" ", "")[:6]}
