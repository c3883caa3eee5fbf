from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DebtorsConfig(AppConfig):
    name = "concord.debtors"
    label = "debtors"
    verbose_name = _("债务人")
