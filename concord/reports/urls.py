from django.urls import path

from . import morning_views, report_views, subscription_views, views

urlpatterns = [
    path("", report_views.index, name="reports"),
    path("morning/", morning_views.morning_page, name="reports-morning"),
    path("morning/targets/", morning_views.set_recovery_target, name="reports-target-set"),
    path("subscriptions/", subscription_views.subscription_list, name="report-subscriptions"),
    path("subscriptions/new/", subscription_views.subscription_new, name="report-subscription-new"),
    path("subscriptions/<int:pk>/", subscription_views.subscription_edit, name="report-subscription"),
    path("subscriptions/<int:pk>/delete/", subscription_views.subscription_delete, name="report-subscription-delete"),
    path("subscriptions/<int:pk>/send/", subscription_views.subscription_send, name="report-subscription-send"),
    path("export/", views.export, name="report-export"),
    path("export/jobs/<int:pk>/file/", views.export_file, name="report-export-file"),
    path("r/<slug:name>/", report_views.report, name="report"),
    path("r/<slug:name>/export.xlsx", report_views.export, name="report-xlsx"),
    path("r/<slug:name>/cases/", report_views.cases_behind, name="report-cases"),
]
