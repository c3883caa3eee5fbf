from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "concord.quality"
    label = "quality"
    verbose_name = _("质检与计分卡")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the sampling job and its schedule
