from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrangementsConfig(AppConfig):
    name = "concord.arrangements"
    label = "arrangements"
    verbose_name = _("还款方案")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the daily check's job
        from concord.cases import panels, recall_reports
        from concord.cases.activities import register_phrases
        from concord.loans import followers

        from .panel import case_panel
        from .phrases import PHRASES
        from .tracking import follow_payment, open_arrangements

        followers.register(follow_payment)
        register_phrases(PHRASES)
        recall_reports.register(open_arrangements)
        panels.register(panels.Panel(name="arrangements", template="arrangements/_panel.html", context=case_panel,
                                     order=50))
