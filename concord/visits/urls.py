from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("case/<int:case_pk>/request/", views.request_visit, name="request"),
    path("<int:pk>/schedule/", views.schedule_visit, name="schedule"),
    path("<int:pk>/report/", views.report_visit, name="report"),
    path("<int:pk>/cancel/", views.cancel_visit, name="cancel"),
    path("<int:pk>/address/", views.reveal_address, name="address"),
    path("files/<int:pk>/", views.download, name="file"),
]
