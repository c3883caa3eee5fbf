from django.urls import path

from . import views

urlpatterns = [
    path("templates/", views.template_list, name="outreach-templates"),
    path("templates/new/", views.template_edit, name="outreach-template-new"),
    path("templates/<int:pk>/", views.template_edit, name="outreach-template-edit"),
    path("templates/<int:pk>/<str:action>/", views.template_action, name="outreach-template-action"),
    path("cases/<int:pk>/compose/", views.compose, name="outreach-compose"),
    path("cases/<int:pk>/send/", views.send, name="outreach-send"),
    path("letters/<uuid:public_id>.pdf", views.letter_pdf, name="outreach-letter-pdf"),
    path("letters/batch.pdf", views.batch_pdf, name="outreach-batch-pdf"),
    path("letters/bulk/", views.bulk, name="outreach-bulk"),
    path("senders/", views.senders_page, name="outreach-senders"),
    path("receipts/", views.receipt, name="outreach-receipts"),
    path("inbound/", views.inbound, name="outreach-inbound"),
]
