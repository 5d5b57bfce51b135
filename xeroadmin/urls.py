from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from xeroadmin import views
from xeroadmin.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("xeroadmin.tenancy.urls")),
    path("", include("xeroadmin.connections.urls")),
    path("", include("xeroadmin.books.urls")),
    path("", include("xeroadmin.webhooks.urls")),
    path("", include("xeroadmin.activity.urls")),
]

handler400 = "xeroadmin.views.bad_request"
handler403 = "xeroadmin.views.permission_denied"
handler404 = "xeroadmin.views.page_not_found"
handler500 = "xeroadmin.views.server_error"
