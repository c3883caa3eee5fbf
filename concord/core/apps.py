from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "concord.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self):
        from . import lookups  # noqa: F401 — registers the ``__any_of`` lookup on every field
