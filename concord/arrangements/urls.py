from django.urls import path

from . import views

urlpatterns = [
    path("approvals/", views.approvals, name="arrangement-approvals"),
    path("cases/<int:pk>/propose/", views.propose, name="arrangement-propose"),
    path("cases/<int:pk>/hardship/", views.hardship, name="arrangement-hardship"),
    path("<int:pk>/approve/", views.decide, {"decision": "approve"}, name="arrangement-approve"),
    path("<int:pk>/reject/", views.decide, {"decision": "reject"}, name="arrangement-reject"),
    path("<int:pk>/creditor-decision/", views.creditor_decision, name="arrangement-creditor-decision"),
    path("<int:pk>/activate/", views.activate, name="arrangement-activate"),
]
