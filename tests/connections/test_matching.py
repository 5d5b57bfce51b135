"""Suggesting a client for an organisation: tiers, and precision and recall on a fixed set of
the ways practices write their clients' names."""

from __future__ import annotations

from xeroadmin.connections.matching import EXACT, NEAR, Matcher, normalise, similarity
from xeroadmin.tenancy.models import Client

CLIENTS = [
    ("Acme Plumbing Ltd", "", ""),
    ("Baker & Sons Limited", "", ""),
    ("The Coffee Collective", "", ""),
    ("Smith Holdings Ltd", "", ""),
    ("Smith Trading Ltd", "", ""),
    ("Kiwi Dental Care", "", ""),
    ("O'Brien Electrical", "", ""),
    ("Harbourside Trading Pty Ltd", "", ""),
    ("Zenith Accounting", "", ""),
    ("Northern Lights Photography", "", ""),
    ("Blue Sky Farms Ltd", "", ""),
    ("Riverside Medical Centre", "", ""),
    ("Greenleaf Landscaping", "", ""),
    ("Peak Performance Physio", "", ""),
    ("Total Roofing Solutions", "", ""),
    ("Fernhill Vineyard", "", ""),
    ("Oak & Ash Joinery", "", ""),
    ("Summit Legal", "", ""),
    ("Coastal Cafe Company", "", ""),
    ("Bright Sparks Electrical Ltd", "", ""),
    ("M & J Hartley Family", "123-456-789", ""),
    ("Tui Wellness", "", "office@tuiwellness.co.nz"),
    ("Jane Doe Consulting", "", "jane.doe@gmail.com"),
    ("Westside Motors", "", ""),
    ("Pacific Freight Services", "", ""),
]

# (organisation name, its tax number, its e-mail, the client it belongs to or None)
CASES = [
    ("Acme Plumbing Limited", "", "", "Acme Plumbing Ltd"),
    ("ACME PLUMBING LTD.", "", "", "Acme Plumbing Ltd"),
    ("Baker and Sons Ltd", "", "", "Baker & Sons Limited"),
    ("Coffee Collective", "", "", "The Coffee Collective"),
    ("Smith Holdings Limited", "", "", "Smith Holdings Ltd"),
    ("Smith Trading", "", "", "Smith Trading Ltd"),
    ("Kiwi Dental Care (NZ)", "", "", "Kiwi Dental Care"),
    ("OBrien Electrical", "", "", "O'Brien Electrical"),
    ("Harbourside Trading (AU)", "", "", "Harbourside Trading Pty Ltd"),
    ("Zenith Accountants", "", "", "Zenith Accounting"),
    ("Northern Lights Photo", "", "", "Northern Lights Photography"),
    ("Blue Sky Farming Ltd", "", "", "Blue Sky Farms Ltd"),
    ("Riverside Medical Center", "", "", "Riverside Medical Centre"),
    ("Green Leaf Landscaping", "", "", "Greenleaf Landscaping"),
    ("Peak Performance Physiotherapy", "", "", "Peak Performance Physio"),
    ("Total Roofing", "", "", "Total Roofing Solutions"),
    ("Fernhill Vineyards", "", "", "Fernhill Vineyard"),
    ("Oak and Ash Joinery Ltd", "", "", "Oak & Ash Joinery"),
    ("Summit Legal Services", "", "", "Summit Legal"),
    ("Coastal Cafe Co", "", "", "Coastal Cafe Company"),
    ("Bright Sparks Electrical", "", "", "Bright Sparks Electrical Ltd"),
    ("Hartley Group", "123456789", "", "M & J Hartley Family"),
    ("TW Holdings", "", "accounts@tuiwellness.co.nz", "Tui Wellness"),
    ("West Side Motors Ltd", "", "", "Westside Motors"),
    ("Pacific Freight", "", "", "Pacific Freight Services"),
    # Organisations with no client yet: nothing should be suggested.
    ("Smith Family Trust", "", "", None),
    ("Smith & Jones Architects", "", "", None),
    ("Mountain View Motors", "", "", None),
    ("Precision Engineering Ltd", "", "", None),
    ("Demo Company (NZ)", "", "", None),
    ("Lakeside Bakery", "", "", None),
    ("Silver Fern Consulting", "", "", None),
    ("Sunrise Cafe", "", "", None),
    ("Bob's Builders", "", "bob@gmail.com", None),
    ("Doe Property Trust", "", "john.doe@gmail.com", None),
    ("Pacific Seafoods", "", "", None),
    ("Northern Roofing", "", "", None),
    ("Total Fitness", "", "", None),
    ("Blue Ocean Charters", "", "", None),
]


def _clients() -> list[Client]:
    return [
        Client(pk=index, name=name, tax_number=tax, email=email)
        for index, (name, tax, email) in enumerate(CLIENTS, start=1)
    ]


def test_precision_and_recall_are_at_least_ninety_percent() -> None:
    matcher = Matcher(_clients())
    made = correct = 0
    misses = []
    for name, tax, email, expected in CASES:
        suggestion = matcher.suggest(name, tax_number=tax, email=email)
        if suggestion is not None:
            made += 1
            correct += suggestion.client.name == expected
        if (suggestion.client.name if suggestion else None) != expected:
            misses.append((name, suggestion and suggestion.client.name, expected))
    wanted = sum(1 for case in CASES if case[3] is not None)
    precision, recall = correct / made, correct / wanted
    assert precision >= 0.9, (precision, misses)
    assert recall >= 0.9, (recall, misses)


def test_the_tiers_say_how_sure_a_suggestion_is() -> None:
    matcher = Matcher(_clients())
    exact = matcher.suggest("Baker and Sons Ltd")
    assert exact is not None
    assert exact.tier == EXACT
    assert exact.reason == "same name"
    by_tax = matcher.suggest("Hartley Group", tax_number="123 456 789")
    assert by_tax is not None
    assert by_tax.exact
    assert by_tax.reason == "same tax number"
    by_mail = matcher.suggest("TW Holdings", email="ap@TuiWellness.co.nz")
    assert by_mail is not None
    assert by_mail.exact
    assert by_mail.reason == "same e-mail domain"
    near = matcher.suggest("Zenith Accountants")
    assert near is not None
    assert near.tier == NEAR
    assert near.client.name == "Zenith Accounting"
    assert matcher.suggest("Lakeside Bakery") is None
    # A public mail service says nothing about which client it is.
    assert matcher.suggest("Someone Else", email="jane.doe@gmail.com") is None


def test_two_clients_written_alike_make_the_suggestion_near_not_exact() -> None:
    clients = [Client(pk=1, name="Acme Ltd"), Client(pk=2, name="ACME Limited")]
    suggestion = Matcher(clients).suggest("Acme")
    assert suggestion is not None
    assert suggestion.tier == NEAR
    assert suggestion.client.pk == 1


def test_names_are_written_alike_before_comparing() -> None:
    assert normalise("The Baker & Sons Co.") == normalise("baker and sons")
    assert normalise("O'Brien Electrical Ltd") == "obrien electrical"
    assert normalise("Kiwi Dental (NZ)") == "kiwi dental"
    # Words that tell one company of a family from another stay.
    assert normalise("Smith Holdings Ltd") != normalise("Smith Trading Ltd")
    assert similarity("Acme Plumbing", "Acme Plumbing Limited") == 1.0
    assert similarity("Smith", "Smith Family Trust") < 0.8
