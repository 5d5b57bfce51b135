"""Xero's certification checkpoints, and how this product meets each (apps with more than 50
connections, on the Plus plan and above, must be certified). The list follows Xero's
"Certification checkpoints" guide for App Store partners; the words here are ours."""

from __future__ import annotations

from dataclasses import dataclass

MET, PARTLY, NOT_YET = "met", "partly", "not yet"


@dataclass(frozen=True)
class Checkpoint:
    number: int
    title: str
    when: str  # "Always", "If getting data", ...
    how: str
    status: str
    page: str  # a URL name (taking the workspace id, unless it is an account page), or ""
    page_label: str = ""


CHECKPOINTS = [
    Checkpoint(
        1,
        "App name",
        "Always",
        "The product is called xeroadmin; the name does not contain “Xero”.",
        MET,
        "tenancy:workspace-detail",
        "Overview",
    ),
    Checkpoint(
        2,
        "Branding",
        "Always",
        (
            "Connect and Disconnect are plain, labelled buttons; Sign in and Sign up with Xero use "
            "Xero's blue. Xero's own button images are not used."
        ),
        PARTLY,
        "connections:tenant-list",
        "Xero connections",
    ),
    Checkpoint(
        3,
        "Connection",
        "Always",
        (
            "Each organisation's name (from /connections, refreshed from /Organisation), its status "
            "and health; Connect again when it needs it; Disconnect by connection id (revoking the "
            "sign-in with its last organisation); disconnects made in Xero are noticed from Xero's "
            "answers and shown on every page; many organisations per workspace; books kept read-only "
            "or purged when one leaves."
        ),
        MET,
        "connections:tenant-list",
        "Xero connections",
    ),
    Checkpoint(
        4,
        "Error handling",
        "Always",
        (
            "Xero's validation messages are shown beside the fields they concern; every other failure"
            " says what happened and that nothing was lost; each organisation's last error is on its "
            "connection page; every write and sync is in the activity feed."
        ),
        MET,
        "activity:workspace-feed",
        "Activity",
    ),
    Checkpoint(
        5,
        "Offline access",
        "Always",
        (
            "Every consent asks for offline_access; refresh tokens are renewed under a row lock and "
            "kept alive weekly."
        ),
        MET,
        "connections:tenant-list",
        "Scopes asked for",
    ),
    Checkpoint(
        6,
        "Rate limits",
        "Always",
        (
            "A governor shared by every process keeps each organisation within 5 calls at once, 60 a "
            "minute and the plan's daily limit, and the app within 10,000 a minute; Retry-After is "
            "honoured; limits are held before Xero's."
        ),
        MET,
        "connections:usage",
        "Plan and usage",
    ),
    Checkpoint(
        7,
        "Scopes",
        "Always",
        (
            "Granular scopes by default, each with the reason it is asked for shown before the "
            "consent; a kind not granted is skipped, not failed."
        ),
        MET,
        "connections:tenant-list",
        "Scopes asked for",
    ),
    Checkpoint(
        8,
        "Sign up with Xero",
        "Always",
        (
            "One consent makes the account, its workspace and the connection, landing on the mapping "
            "table."
        ),
        MET,
        "account_signup",
        "Sign up",
    ),
    Checkpoint(
        9,
        "Modified after",
        "If getting data",
        (
            "Every incremental read sends If-Modified-Since; webhooks carry contacts and invoices "
            "between passes."
        ),
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        10,
        "Paging",
        "If getting data",
        "Lists are read 1,000 a page (100 for quotes, which take no page size).",
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        11,
        "Webhooks",
        "If getting data",
        (
            "Signed deliveries are verified, answered within Xero's time and processed durably; "
            "Intent to Receive is answered."
        ),
        MET,
        "webhooks:delivery-list",
        "Webhooks",
    ),
    Checkpoint(
        12,
        "Account mapping",
        "If creating or updating data",
        "Each line's account is chosen by the person from the organisation's own active accounts.",
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        13,
        "Currency",
        "If creating or updating data",
        "Only the currencies enabled in the organisation are offered.",
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        14,
        "Rounding",
        "If creating or updating data",
        (
            "Line amounts and totals are worked out as Xero does (to the cent, or 4 places with "
            "unitdp), and Xero's answer is what is kept."
        ),
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        15,
        "Taxes",
        "If creating or updating data",
        "Only the organisation's own tax rates are offered on each line.",
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        16,
        "Payment account mapping",
        "If posting payments",
        (
            "A payment's bank account is chosen from the organisation's bank accounts (and those "
            "enabled for payments)."
        ),
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        17,
        "Sign in with Xero",
        "Preferred",
        "On the sign-in page, through OpenID Connect, the id_token checked against Xero's keys.",
        MET,
        "account_login",
        "Sign in",
    ),
    Checkpoint(
        18,
        "Deep linking",
        "Preferred",
        "Records are not yet linked to the same record in Xero's own web app.",
        NOT_YET,
        "",
        "",
    ),
    Checkpoint(
        19,
        "Invoice status",
        "Preferred",
        (
            "Each invoice shows Xero's status in words, and its status changes are guarded as Xero's "
            "are."
        ),
        MET,
        "books:organisation-list",
        "Organisations",
    ),
    Checkpoint(
        21,
        "Logs",
        "Preferred",
        "Each workspace's activity feed records every write, sync, webhook and connection change.",
        MET,
        "activity:workspace-feed",
        "Activity",
    ),
]
