from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "concord.portal"
    label = "portal"
    verbose_name = _("借款人自助服务")

    def ready(self):
        from concord.outreach.services import register_send_time_values

        from concord.cases.activities import register_phrases

        from .actions import PHRASES, personal_link

        register_send_time_values(personal_link)
        register_phrases(PHRASES)

        from concord.cases import panels

        from .panel import case_panel

        panels.register(panels.Panel(name="portal", template="portal/_case_panel.html", context=case_panel, order=95))
