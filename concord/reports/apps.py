from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "concord.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self):
        from concord.eod import followers

        from . import capture, delivery, jobs  # noqa: F401 — registers the export and subscription job kinds

        followers.register(capture.after_run)  # the daily history keeps each run's day
