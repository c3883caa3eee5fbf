from django.contrib.auth import views as auth_views
from django.urls import include, path

from concord.cases import views as case_views
from concord.staff import views as staff_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/verify/", staff_views.verify, name="two-factor-verify"),
    path("account/two-factor/setup/", staff_views.setup, name="two-factor-setup"),
    path("account/security/", staff_views.security_page, name="account-security"),
    path("", case_views.dashboard, name="dashboard"),
    path("cases/", case_views.case_list, name="case-list"),
    path("cases/new/", case_views.new_case, name="case-new"),
    path("", include("concord.workbench.urls")),
    path("imports/", include("concord.imports.urls")),
    path("reports/", include("concord.reports.urls")),
    path("compliance/", include("concord.compliance.urls")),
    path("eod/", include("concord.eod.urls")),
    path("scoring/", include("concord.scoring.urls")),
    path("strategy/", include("concord.strategy.urls")),
    path("outreach/", include("concord.outreach.urls")),
    path("arrangements/", include("concord.arrangements.urls")),
    path("visits/", include("concord.visits.urls")),
    path("legal/", include("concord.legal.urls")),
    path("allocation/", include("concord.allocation.urls")),
    path("operations/", include("concord.operations.urls")),
    path("placements/", include("concord.placements.urls")),
    path("statements/", include("concord.statements.urls")),
    path("creditor/", include("concord.statements.portal_urls")),
    path("telephony/", include("concord.telephony.urls")),
    path("quality/", include("concord.quality.urls")),
]
