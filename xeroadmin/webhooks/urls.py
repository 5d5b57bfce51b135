from __future__ import annotations

from django.urls import path

from xeroadmin.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/xero/", views.receive_default, name="receive"),
    path("webhooks/xero/<str:token>/", views.receive_app, name="receive-app"),
    path("w/<int:ws>/webhooks/", views.delivery_list, name="delivery-list"),
    path("w/<int:ws>/webhooks/check/", views.delivery_check, name="delivery-check"),
    path("w/<int:ws>/webhooks/<int:delivery_id>/", views.delivery_detail, name="delivery-detail"),
    path(
        "w/<int:ws>/webhooks/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="delivery-retry",
    ),
]
