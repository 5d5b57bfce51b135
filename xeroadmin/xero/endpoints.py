"""Where Xero lives: the three base URLs from settings, and the rule on plain HTTP."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from xeroadmin.xero.errors import XeroError

GRANULAR_SCOPES = (
    "openid profile email offline_access accounting.invoices accounting.payments "
    "accounting.banktransactions accounting.manualjournals accounting.contacts "
    "accounting.settings accounting.attachments accounting.reports.profitandloss.read "
    "accounting.reports.balancesheet.read accounting.reports.trialbalance.read "
    "accounting.reports.aged.read accounting.reports.banksummary.read payroll.employees"
)
# For Xero apps created before 2 March 2026, which may still ask for the broad scopes.
BROAD_SCOPES = (
    "openid profile email offline_access accounting.transactions accounting.contacts "
    "accounting.settings accounting.attachments accounting.reports.read payroll.employees"
)
SCOPE_SETS = {"granular": GRANULAR_SCOPES, "broad": BROAD_SCOPES}

# Why each scope is asked for, shown on the page that starts a connection.
SCOPE_REASONS = {
    "openid": "identify the Xero user who grants access",
    "profile": "show that user's name beside the connection",
    "email": "show that user's e-mail address beside the connection",
    "offline_access": "keep the connection working when nobody is signed in (sync, webhooks)",
    "accounting.invoices": "read and edit invoices, credit notes and items",
    "accounting.payments": "record and reverse payments, prepayments and overpayments",
    "accounting.banktransactions": "read and enter bank transactions and transfers",
    "accounting.manualjournals": "read and post manual journals",
    "accounting.reports.read": "read reports (profit and loss, balance sheet, ...)",
    "accounting.reports.profitandloss.read": "read the profit and loss report",
    "accounting.reports.balancesheet.read": "read the balance sheet",
    "accounting.reports.trialbalance.read": "read the trial balance",
    "accounting.reports.aged.read": "read aged receivables and payables",
    "accounting.reports.banksummary.read": "read the bank summary",
    "accounting.transactions": "read and edit invoices, credit notes, payments, bank transactions and journals",
    "accounting.contacts": "read and edit contacts",
    "accounting.settings": "read the organisation, its accounts, tax rates and currencies",
    "accounting.attachments": "upload and download attachments",
    "payroll.employees": "list, add and edit employees (where the organisation has Xero Payroll)",
}


def is_loopback(url: str) -> bool:
    """Whether the URL's host is this machine (localhost, 127.0.0.0/8 or ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str) -> None:
    """Refuse plain HTTP to anything but a loopback address (the local sandbox)."""
    scheme = urlsplit(url).scheme
    if scheme == "https":
        return
    if scheme == "http" and is_loopback(url):
        # oauthlib refuses http outright; allow it for this process, which only ever reaches
        # plain-HTTP Xero URLs that passed the loopback check above.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        return
    raise ImproperlyConfigured(
        f"Xero URLs must use https (plain http is only allowed on a loopback address): {url}"
    )


def scopes(value: str | None = None) -> list[str]:
    """A scope list from a setting: the words `granular` or `broad`, or the scopes themselves."""
    text = (value if value is not None else settings.XERO_SCOPES).strip()
    return SCOPE_SETS.get(text.lower(), text or GRANULAR_SCOPES).split()


def authorize_url() -> str:
    return _url(settings.XERO_LOGIN_URL, "/identity/connect/authorize")


def token_url() -> str:
    return _url(settings.XERO_IDENTITY_URL, "/connect/token")


def openid_configuration_url() -> str:
    """Xero's OpenID discovery document (its `jwks_uri` names the signing keys)."""
    return _url(settings.XERO_IDENTITY_URL, "/.well-known/openid-configuration")


def revocation_url() -> str:
    return _url(settings.XERO_IDENTITY_URL, "/connect/revocation")


def connections_url() -> str:
    return _url(settings.XERO_API_URL, "/connections")


# Xero's APIs a client may call: the Accounting API, and the payroll APIs (1.0: Australia; 2.0:
# New Zealand, the UK and Australia's newer one).
ACCOUNTING, PAYROLL_AU, PAYROLL_V2 = "api.xro/2.0", "payroll.xro/1.0", "payroll.xro/2.0"
APIS = (ACCOUNTING, PAYROLL_AU, PAYROLL_V2)


def api_url(path: str, api: str = ACCOUNTING) -> str:
    """A URL of one of Xero's APIs; `path` is relative to it and may not leave it."""
    if api not in APIS:
        raise XeroError(f"Not one of Xero's APIs here: {api}", status=400)
    path = path.lstrip("/")
    route = path.partition("?")[0]
    if any(unquote(segment) in (".", "..") for segment in route.split("/")):
        # A `..` would be resolved by the HTTP stack into another API of the same consent.
        raise XeroError(f"That path leaves Xero's Accounting API: {path[:100]}", status=400)
    return _url(settings.XERO_API_URL, f"/{api}/" + path)


def _url(base: str, path: str) -> str:
    url = base.rstrip("/") + path
    check_transport(url)
    return url
