from django.urls import path

from . import portal

urlpatterns = [
    path("", portal.home, name="creditor-home"),
    path("uploads/", portal.upload, name="creditor-upload-new"),
    path("uploads/<int:pk>/", portal.upload_detail, name="creditor-upload"),
]
