"""The API with the arrangements endpoint mounted, for the tests (``@pytest.mark.urls``)."""
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from concord.arrangements.api import ArrangementViewSet

router = DefaultRouter()
router.register("arrangements", ArrangementViewSet, basename="arrangement")

urlpatterns = [path("api/", include((router.urls, "api"), namespace="api"))]
