from __future__ import annotations

from django.urls import path

from xeroadmin.connections import mapping_views, signup_views, views

app_name = "connections"

urlpatterns = [
    path("xero/callback/", views.callback, name="callback"),
    path("xero/signup/", signup_views.signup_start, name="xero-signup"),
    path("xero/welcome/", signup_views.welcome, name="xero-welcome"),
    path("w/<int:ws>/connections/", mapping_views.tenant_list, name="tenant-list"),
    path("w/<int:ws>/connections/connect/", views.connect, name="connect"),
    path("w/<int:ws>/connections/mapping/", mapping_views.mapping_save, name="mapping-save"),
    path(
        "w/<int:ws>/connections/mapping/exact/",
        mapping_views.mapping_accept_exact,
        name="mapping-accept-exact",
    ),
    path(
        "w/<int:ws>/connections/mapping/export/",
        mapping_views.mapping_export,
        name="mapping-export",
    ),
    path(
        "w/<int:ws>/connections/mapping/import/",
        mapping_views.mapping_import,
        name="mapping-import",
    ),
    path(
        "w/<int:ws>/connections/mapping/<int:tenant_pk>/clients/",
        mapping_views.client_options,
        name="client-options",
    ),
    path("w/<int:ws>/connections/check/", views.workspace_check, name="workspace-check"),
    path("w/<int:ws>/connections/usage/", views.usage_page, name="usage"),
    path("w/<int:ws>/connections/certification/", views.certification, name="certification"),
    path("w/<int:ws>/connections/custom/", views.custom_create, name="custom-create"),
    path("w/<int:ws>/connections/apps/", views.app_list, name="app-list"),
    path("w/<int:ws>/connections/apps/<int:app_id>/", views.app_detail, name="app-detail"),
    path("w/<int:ws>/connections/apps/<int:app_id>/delete/", views.app_delete, name="app-delete"),
    path("w/<int:ws>/connections/<int:tenant_pk>/", views.tenant_detail, name="tenant-detail"),
    path("w/<int:ws>/connections/<int:tenant_pk>/check/", views.tenant_check, name="tenant-check"),
    path(
        "w/<int:ws>/connections/<int:tenant_pk>/disconnect/",
        views.tenant_disconnect,
        name="tenant-disconnect",
    ),
]
