from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "concord.cases"
    label = "cases"
    verbose_name = _("案件")

    def ready(self):
        from concord.loans import followers

        from .services import on_account_changed

        followers.register_account(on_account_changed)
