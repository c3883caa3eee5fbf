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
        from concord.cases.activities import label_of, register_phrases

        from .models import Channel
        register_phrases({   # a borrower's reply, said in the reader's language
            "message.reply": (_("收到%(c)s回复"), {"c": label_of(Channel)}),
            "message.opt_out": (_("收到%(c)s退订回复，已登记停止%(c)s联系"), {"c": label_of(Channel)}),
        })
