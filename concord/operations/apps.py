from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "concord.operations"
    label = "operations"
    verbose_name = _("运维")

    def ready(self):
        from concord.core import jobs

        from . import alerts, scheduler

        jobs.register_tick(scheduler.tick)
        jobs.register_follower(alerts.job_ended)
