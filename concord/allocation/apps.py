from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "concord.allocation"
    label = "allocation"
    verbose_name = _("分案")

    def ready(self):
        from concord.imports import followers

        from . import jobs, services  # noqa: F401  (jobs registers the job kinds)

        followers.register_placed(services.allocate_placed)
