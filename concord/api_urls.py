"""The REST API, mounted at /api/ (schema at /api/schema/, Swagger UI at /api/docs/).

URL names live in the ``api`` namespace (``api:case-list``) so they never shadow the web UI's names.
"""
from django.urls import path
from rest_framework.routers import DefaultRouter

from concord.arrangements.api import ArrangementViewSet
from concord.cases.api import CaseViewSet
from concord.debtors.api import DebtorViewSet
from concord.imports.api import ImportViewSet
from concord.loans.api import AccountViewSet, PaymentViewSet
from concord.staff.api import obtain_token

app_name = "api"

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("debtors", DebtorViewSet, basename="debtor")
router.register("accounts", AccountViewSet, basename="account")
router.register("payments", PaymentViewSet, basename="payment")
router.register("imports", ImportViewSet, basename="import")
router.register("arrangements", ArrangementViewSet, basename="arrangement")

urlpatterns = [
    path("auth/token/", obtain_token, name="auth-token"),
    *router.urls,
]
