from django.urls import path

from . import views

urlpatterns = [
    path("", views.runs, name="eod-runs"),
    path("start/", views.start, name="eod-start"),
]
