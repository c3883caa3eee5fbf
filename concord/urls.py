from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("concord.api_urls")),
    path("admin/", admin.site.urls),
    path("p/", include("concord.portal.urls")),  # the borrower's self-service portal: its own prefix and cookie
    path("", include("concord.web_urls")),
]

handler404 = "concord.core.api.page_not_found"
