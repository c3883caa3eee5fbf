from django.urls import path

from . import scorecard_views, views

urlpatterns = [
    path("", views.queue, name="quality-queue"),
    path("samples/<int:pk>/", views.review, name="quality-review"),
    path("mine/", views.mine, name="quality-mine"),
    path("checklist/", views.checklist, name="quality-checklist"),
    path("scorecard/", scorecard_views.scorecard_page, name="quality-scorecard"),
    path("scorecard/export.xlsx", scorecard_views.scorecard_export, name="quality-scorecard-xlsx"),
    path("scorecard/cases/", scorecard_views.scorecard_cases, name="quality-scorecard-cases"),
    path("scorecard/rubric/", scorecard_views.rubric, name="quality-rubric"),
]
