from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditorsConfig(AppConfig):
    name = "concord.creditors"
    label = "creditors"
    verbose_name = _("委托方")
