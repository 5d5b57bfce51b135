from __future__ import annotations

from django.urls import path

from xeroadmin.people import views

app_name = "people"

urlpatterns = [
    path("w/<int:ws>/people/", views.audit, name="audit"),
    path("w/<int:ws>/people/domains/", views.domains_save, name="domains-save"),
    path("w/<int:ws>/people/person/", views.person, name="person"),
    path("w/<int:ws>/people/person/leaver.csv", views.leaver_report, name="leaver-report"),
    path("w/<int:ws>/people/o/<int:tenant_pk>/", views.organisation, name="organisation"),
    path(
        "w/<int:ws>/people/o/<int:tenant_pk>/refresh/",
        views.organisation_refresh,
        name="organisation-refresh",
    ),
]
