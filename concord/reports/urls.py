from django.urls import path

from . import views

urlpatterns = [
    path("export/", views.export, name="report-export"),
    path("export/jobs/<int:pk>/file/", views.export_file, name="report-export-file"),
]
