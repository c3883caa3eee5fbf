from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EodConfig(AppConfig):
    name = "concord.eod"
    label = "eod"
    verbose_name = _("日终")
