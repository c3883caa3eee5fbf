from django.urls import path

from . import audit_views, views

urlpatterns = [
    path("", views.decisions, name="compliance-decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="compliance-decision"),
    path("cases/<int:pk>/options/", views.case_options, name="compliance-case-options"),
    path("holds/", views.holds, name="compliance-holds"),
    path("holds/place/", views.hold_place, name="compliance-hold-place"),
    path("holds/<int:pk>/release/", views.hold_release, name="compliance-hold-release"),
    path("complaints/", views.complaints, name="compliance-complaints"),
    path("complaints/new/", views.complaint_open, name="compliance-complaint-open"),
    path("complaints/<int:pk>/", views.complaint_detail, name="compliance-complaint"),
    path("complaints/<int:pk>/resolve/", views.complaint_resolve, name="compliance-complaint-resolve"),
    path("complaints/<int:pk>/assign/", views.complaint_assign, name="compliance-complaint-assign"),
    path("export/", views.export, name="compliance-export"),
    path("audit/", audit_views.audit_page, name="compliance-audit"),
    path("packs/", views.packs, name="compliance-packs"),
    path("qualifications/", views.qualifications, name="compliance-qualifications"),
]
