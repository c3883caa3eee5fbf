from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "concord.telephony"
    label = "telephony"
    verbose_name = _("话务")

    def ready(self):
        from concord.core import jobs as core_jobs
        from concord.workbench import telephony as hook

        from . import jobs, services

        hook.register_dialer(services.switch_configured, services.dial, services.placed)
        hook.register_case_context(services.case_context)
        core_jobs.register_tick(jobs.tick)
