from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path

from xeroadmin import views
from xeroadmin.accounts import xero_signin
from xeroadmin.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Sign in with Xero: allauth's OpenID Connect views, with the id_token always verified.
    path("accounts/oidc/<str:provider_id>/login/", xero_signin.login, name="xero_signin_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        xero_signin.callback,
        name="xero_signin_callback",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("xeroadmin.tenancy.urls")),
    path("", include("xeroadmin.connections.urls")),
    path("", include("xeroadmin.books.urls")),
    path("", include("xeroadmin.webhooks.urls")),
    path("", include("xeroadmin.activity.urls")),
    path("", include("xeroadmin.portfolio.urls")),
    path("", include("xeroadmin.bulk.urls")),
    path("", include("xeroadmin.alerts.urls")),
    path("", include("xeroadmin.people.urls")),
]

if settings.ADMIN_ENABLED:
    # Staff sign in through allauth (its rate limits and two-factor step), never through the
    # admin's own password form, and may enter only with two-factor authentication turned on.
    admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

    def _staff_with_two_factor(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and is_mfa_enabled(user))

    admin.site.has_permission = _staff_with_two_factor  # type: ignore[method-assign]
    urlpatterns.append(path("admin/", admin.site.urls))

handler400 = "xeroadmin.views.bad_request"
handler403 = "xeroadmin.views.permission_denied"
handler404 = "xeroadmin.views.page_not_found"
handler500 = "xeroadmin.views.server_error"
