from __future__ import annotations

from django.urls import path

from xeroadmin.books import views

app_name = "books"

urlpatterns = [
    path("w/<int:ws>/organisations/", views.organisation_list_view, name="organisation-list"),
    path("w/<int:ws>/o/<int:tenant_pk>/", views.organisation_home, name="organisation-home"),
    path("w/<int:ws>/o/<int:tenant_pk>/sync/", views.organisation_sync, name="organisation-sync"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/activity/",
        views.organisation_activity,
        name="organisation-activity",
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/invoices/", views.invoice_list, name="invoice-list"),
    path("w/<int:ws>/o/<int:tenant_pk>/invoices/new/", views.invoice_create, name="invoice-create"),
    path("w/<int:ws>/o/<int:tenant_pk>/invoices/line/", views.invoice_line, name="invoice-line"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/invoices/totals/",
        views.invoice_totals,
        name="invoice-totals",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/invoices/<int:invoice_pk>/edit/",
        views.invoice_edit,
        name="invoice-edit",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/invoices/<int:invoice_pk>/",
        views.invoice_detail,
        name="invoice-detail",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/invoices/<int:invoice_pk>/action/",
        views.invoice_action,
        name="invoice-action",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/invoices/<int:invoice_pk>/payments/",
        views.payment_create,
        name="payment-create",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/payments/<int:payment_pk>/reverse/",
        views.payment_reverse,
        name="payment-reverse",
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/contacts/", views.contact_list, name="contact-list"),
    path("w/<int:ws>/o/<int:tenant_pk>/contacts/new/", views.contact_create, name="contact-create"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/contacts/<int:contact_pk>/",
        views.contact_detail,
        name="contact-detail",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/contacts/<int:contact_pk>/archive/",
        views.contact_archive,
        name="contact-archive",
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/items/", views.item_list, name="item-list"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/items/<int:item_pk>/", views.item_detail, name="item-detail"
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/accounts/", views.account_list, name="account-list"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/accounts/<int:account_pk>/",
        views.account_detail,
        name="account-detail",
    ),
    # The PDF and the online invoice page.
    *(
        path(
            f"w/<int:ws>/o/<int:tenant_pk>/invoices/<int:invoice_pk>/{kind}/",
            views.invoice_file,
            {"kind": kind},
            name=f"invoice-{kind}",
        )
        for kind in ("pdf", "online")
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/payments/", views.payment_list, name="payment-list"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/payments/<int:payment_pk>/",
        views.payment_detail,
        name="payment-detail",
    ),
    path("w/<int:ws>/o/<int:tenant_pk>/console/", views.raw_console, name="raw-console"),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/<str:kind>/<int:record_pk>/history/",
        views.record_history,
        name="record-history",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/<str:kind>/<int:record_pk>/note/",
        views.record_note,
        name="record-note",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/<str:kind>/<int:record_pk>/attachments/",
        views.record_attachments,
        name="record-attachments",
    ),
    path(
        "w/<int:ws>/o/<int:tenant_pk>/<str:kind>/<int:record_pk>/attachment/",
        views.record_attachment,
        name="record-attachment",
    ),
]
