from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrangementsConfig(AppConfig):
    name = "concord.arrangements"
    label = "arrangements"
    verbose_name = _("还款方案")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the daily check's job
        from concord.cases import panels
        from concord.loans import followers

        from .panel import case_panel
        from .tracking import follow_payment

        followers.register(follow_payment)

        from concord.cases import recall_reports

        from .tracking import open_arrangements
        recall_reports.register(open_arrangements)
        panels.register(panels.Panel(name="arrangements", template="arrangements/_panel.html", context=case_panel,
                                     order=50))
