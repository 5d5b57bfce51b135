from __future__ import annotations

from django.urls import path

from xeroadmin.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("w/<int:ws>/jump/", views.jump, name="jump"),
]
