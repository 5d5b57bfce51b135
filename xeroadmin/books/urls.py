from __future__ import annotations

from django.urls import include, path

from xeroadmin.books.kinds import KINDS
from xeroadmin.books.views import (
    accounts,
    allocations,
    console,
    contacts,
    document_editor,
    documents,
    employees,
    entries,
    invoice_editor,
    invoices,
    items,
    organisations,
    payments,
    records,
    reports,
)

app_name = "books"

# Everything below one organisation of one workspace: w/<ws>/o/<tenant_pk>/…
organisation = [
    path("", organisations.organisation_home, name="organisation-home"),
    path("sync/", organisations.organisation_sync, name="organisation-sync"),
    path("activity/", organisations.organisation_activity, name="organisation-activity"),
    path("employees/", employees.employee_list, name="employee-list"),
    path("employees/refresh/", employees.employee_refresh, name="employee-refresh"),
    path("employees/new/", employees.employee_create, name="employee-create"),
    path("employees/<int:pk>/", employees.employee_detail, name="employee-detail"),
    path("employees/<int:pk>/edit/", employees.employee_edit, name="employee-edit"),
    path("invoices/", invoices.invoice_list, name="invoice-list"),
    path("bills/", invoices.invoice_list, {"bills": True}, name="bill-list"),
    path("bills/new/", invoice_editor.invoice_create, {"bills": True}, name="bill-create"),
    path("invoices/new/", invoice_editor.invoice_create, name="invoice-create"),
    path("invoices/line/", invoice_editor.invoice_line, name="invoice-line"),
    path("invoices/totals/", invoice_editor.invoice_totals, name="invoice-totals"),
    path("invoices/contacts/", invoice_editor.contact_options, name="contact-options"),
    path("invoices/<int:invoice_pk>/", invoices.invoice_detail, name="invoice-detail"),
    path("invoices/<int:invoice_pk>/edit/", invoice_editor.invoice_edit, name="invoice-edit"),
    path("invoices/<int:invoice_pk>/action/", invoices.invoice_action, name="invoice-action"),
    # The PDF and the online invoice page.
    *(
        path(
            f"invoices/<int:invoice_pk>/{kind}/",
            invoices.invoice_file,
            {"kind": kind},
            name=f"invoice-{kind}",
        )
        for kind in ("pdf", "online")
    ),
    path("invoices/<int:invoice_pk>/payments/", payments.payment_create, name="payment-create"),
    path("payments/", payments.payment_list, name="payment-list"),
    path("payments/<int:payment_pk>/", payments.payment_detail, name="payment-detail"),
    path("payments/<int:payment_pk>/reverse/", payments.payment_reverse, name="payment-reverse"),
    path("contacts/", contacts.contact_list, name="contact-list"),
    path("contacts/new/", contacts.contact_create, name="contact-create"),
    path("contacts/<int:contact_pk>/", contacts.contact_detail, name="contact-detail"),
    path("contacts/<int:contact_pk>/archive/", contacts.contact_archive, name="contact-archive"),
    path("items/", items.item_list, name="item-list"),
    path("items/<int:item_pk>/", items.item_detail, name="item-detail"),
    path("items/<int:item_pk>/delete/", items.item_delete, name="item-delete"),
    path("accounts/", accounts.account_list, name="account-list"),
    path("accounts/<int:account_pk>/", accounts.account_detail, name="account-detail"),
    *(
        path(
            f"accounts/<int:account_pk>/{how}/",
            accounts.account_retire,
            {"how": how},
            name=f"account-{how}",
        )
        for how in ("archive", "delete")
    ),
    path("invoices/<int:invoice_pk>/credit/", allocations.invoice_credit, name="invoice-credit"),
    path("bank-transactions/new/", entries.bank_transaction_create, name="bank-transaction-create"),
    path(
        "bank-transactions/<int:document_pk>/edit/",
        entries.bank_transaction_edit,
        name="bank-transaction-edit",
    ),
    path("manual-journals/new/", entries.manual_journal_create, name="manual-journal-create"),
    *(
        route
        for kind in KINDS
        if kind.key in ("credit_note", "quote")
        for route in (
            path(
                f"{kind.slug}/new/",
                document_editor.document_create,
                {"kind": kind.key},
                name=kind.page("create"),
            ),
            path(
                f"{kind.slug}/<int:document_pk>/edit/",
                document_editor.document_edit,
                {"kind": kind.key},
                name=kind.page("edit"),
            ),
        )
    ),
    path("manual-journals/line/", entries.journal_line, name="manual-journal-line"),
    *(
        route
        for kind in KINDS
        for route in (
            path(
                f"{kind.slug}/",
                documents.document_list,
                {"kind": kind.key},
                name=kind.page("list"),
            ),
            path(
                f"{kind.slug}/<int:document_pk>/",
                documents.document_detail,
                {"kind": kind.key},
                name=kind.page("detail"),
            ),
            path(
                f"{kind.slug}/<int:document_pk>/action/",
                documents.document_action,
                {"kind": kind.key},
                name=kind.page("action"),
            ),
        )
    ),
    *(
        path(
            f"{kind.slug}/<int:document_pk>/{what}/",
            view,
            {"kind": kind.key},
            name=kind.page(what),
        )
        for kind in KINDS
        if kind.credit
        for what, view in (
            ("allocate", allocations.credit_allocate),
            ("unallocate", allocations.allocation_remove),
        )
    ),
    path(
        "quotes/<int:document_pk>/invoice/",
        documents.quote_invoice,
        {"kind": "quote"},
        name="quote-invoice",
    ),
    path("reports/", reports.report_index, name="report-index"),
    path("reports/aged/<slug:side>/", reports.report_aged, name="report-aged"),
    path("reports/<slug:report>/", reports.report_page, name="report"),
    path("console/", console.raw_console, name="raw-console"),
    path("<str:kind>/<int:record_pk>/history/", records.record_history, name="record-history"),
    path("<str:kind>/<int:record_pk>/note/", records.record_note, name="record-note"),
    path(
        "<str:kind>/<int:record_pk>/attachments/",
        records.record_attachments,
        name="record-attachments",
    ),
    path(
        "<str:kind>/<int:record_pk>/attachment/",
        records.record_attachment,
        name="record-attachment",
    ),
]

urlpatterns = [
    path(
        "w/<int:ws>/organisations/",
        organisations.organisation_list_view,
        name="organisation-list",
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/", include(organisation)),
]
