from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="operations"),
    path("schedule/", views.schedule, name="operations-schedule"),
    path("schedule/<str:key>/run/", views.run_now, name="operations-run-now"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job-cancel"),
]
