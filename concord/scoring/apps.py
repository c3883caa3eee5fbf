from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "concord.scoring"
    label = "scoring"
    verbose_name = _("评分模型")

    def ready(self):
        from concord.eod import followers, scorecards

        from . import monitor, selectors

        scorecards.register(selectors.live_scorecard)  # the approved paid_30d scorecard scores the run's cases
        followers.register(monitor.after_run)         # drift of every approved model, after the daily history
