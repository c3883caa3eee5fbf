from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "concord.strategy"
    label = "strategy"
    verbose_name = _("策略")

    def ready(self):
        from concord.eod import strategies

        from . import selectors

        strategies.register(selectors.live_strategy)  # the live strategy's newest version segments the run's cases
        strategies.register_offer(selectors.offers_for)  # its rule's offer bounds the arrangements offered on a case
