from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "concord.workbench"
    label = "workbench"
    verbose_name = _("催收工作台")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the promise reminders' job
        from concord.loans import followers

        from .promises import on_payment_changed

        followers.register(on_payment_changed)
