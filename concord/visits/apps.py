from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "concord.visits"
    label = "visits"
    verbose_name = _("外访")

    def ready(self):
        from concord.cases.activities import register_phrases
        from concord.cases.panels import Panel, register

        from .services import PHRASES
        from .views import case_panel

        register(Panel("visits", "visits/_panel.html", case_panel, order=40))
        register_phrases(PHRASES)
