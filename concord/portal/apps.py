from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "concord.portal"
    label = "portal"
    verbose_name = _("借款人自助服务")

    def ready(self):
        from concord.outreach.services import register_send_time_values

        from .actions import personal_link

        register_send_time_values(personal_link)
