from django.urls import path

from . import views

urlpatterns = [
    path("push/<str:provider>/", views.push, name="telephony-push"),
    path("calls/<int:pk>/hangup/", views.hang_up, name="telephony-hangup"),
    path("activities/<int:pk>/disposition/", views.dispose, name="telephony-dispose"),
    path("inbound/", views.inbound, name="telephony-inbound"),
    path("power/next/", views.power_next, name="telephony-power-next"),
]
