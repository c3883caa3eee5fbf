from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "concord.legal"
    label = "legal"
    verbose_name = _("法律程序")

    def ready(self):
        from concord.cases.activities import register_phrases
        from concord.cases.panels import Panel, register

        from .services import PHRASES
        from .views import case_panel

        register(Panel("legal", "legal/_panel.html", case_panel, order=50))
        register_phrases(PHRASES)
