from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EodConfig(AppConfig):
    name = "concord.eod"
    label = "eod"
    verbose_name = _("日终")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the end-of-day job kind
