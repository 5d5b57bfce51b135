from __future__ import annotations

from django.urls import path

from xeroadmin.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("w/<int:ws>/jump/", views.jump, name="jump"),
    path("w/<int:ws>/attention/", views.finding_list, name="finding-list"),
    path("w/<int:ws>/attention/settings/", views.check_settings, name="check-settings"),
    path("w/<int:ws>/attention/<int:finding_id>/", views.finding_act, name="finding-act"),
]
