from django.urls import path

from . import views

urlpatterns = [
    path("push/<str:provider>/", views.push, name="telephony-push"),
]
