from django.urls import path

from . import morning_views, report_views, views

urlpatterns = [
    path("", report_views.index, name="reports"),
    path("morning/", morning_views.morning_page, name="reports-morning"),
    path("morning/targets/", morning_views.set_recovery_target, name="reports-target-set"),
    path("export/", views.export, name="report-export"),
    path("export/jobs/<int:pk>/file/", views.export_file, name="report-export-file"),
    path("r/<slug:name>/", report_views.report, name="report"),
    path("r/<slug:name>/export.xlsx", report_views.export, name="report-xlsx"),
    path("r/<slug:name>/cases/", report_views.cases_behind, name="report-cases"),
]
