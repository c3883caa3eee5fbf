from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "concord.outreach"
    label = "outreach"
    verbose_name = _("短信、邮件与信函")

    def ready(self):
        from concord.cases.panels import Panel, register

        from .selectors import panel_context
        register(Panel(name="outreach", template="outreach/_panel.html", context=panel_context, order=40))
