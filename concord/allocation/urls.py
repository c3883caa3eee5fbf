from django.urls import path

from . import bulk_views as b
from . import views as v

urlpatterns = [
    path("", v.rules, name="allocation-rules"),
    path("edit/", v.edit, name="allocation-edit"),
    path("rollback/<int:version>/", v.rollback, name="allocation-rollback"),
    path("preview/", v.preview, name="allocation-preview"),
    path("apply/", v.apply, name="allocation-apply"),
    path("cases/", b.cases, name="allocation-bulk"),
    path("cases/act/", b.act, name="allocation-bulk-act"),
    path("jobs/<int:pk>/", b.job, name="allocation-job"),
]
