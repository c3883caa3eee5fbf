from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "concord.outreach"
    label = "outreach"
    verbose_name = _("短信、邮件与信函")

    def ready(self):
        from concord.cases.panels import Panel, register

        from concord.cases.activities import register_summary

        from .selectors import panel_context, say_message
        register(Panel(name="outreach", template="outreach/_panel.html", context=panel_context, order=40,
                       title=_("短信/信函")))
        for kind in ("sms", "email", "letter"):
            register_summary(kind, say_message)
