from __future__ import annotations

from django.urls import path

from xeroadmin.bulk import views

app_name = "bulk"

urlpatterns = [
    path("w/<int:ws>/bulk/", views.job_list, name="job-list"),
    path("w/<int:ws>/bulk/new/", views.job_new, name="job-new"),
    path("w/<int:ws>/bulk/<int:job_id>/", views.job_detail, name="job-detail"),
    path("w/<int:ws>/bulk/<int:job_id>/act/", views.job_act, name="job-act"),
]
