from __future__ import annotations

from django.urls import path

from xeroadmin.books import views

app_name = "books"

urlpatterns = [
    path("w/<int:ws>/organisations/", views.organisation_list_view, name="organisation-list"),
    path("w/<int:ws>/o/<int:tenant_pk>/", views.organisation_home, name="organisation-home"),
    path("w/<int:ws>/o/<int:tenant_pk>/sync/", views.organisation_sync, name="organisation-sync"),
    path("w/<int:ws>/o/<int:tenant_pk>/invoices/", views.invoice_list, name="invoice-list"),
]
