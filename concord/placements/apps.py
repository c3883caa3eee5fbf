from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "concord.placements"
    label = "placements"
    verbose_name = _("委案与结算")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the placement period's end (到期退案) job
