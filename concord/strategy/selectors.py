"""Reads of the strategies: the live (champion) version and the provider the end-of-day run asks."""
from __future__ import annotations

from . import tree as trees
from .models import Strategy, StrategyVersion


def champion() -> StrategyVersion | None:
    """The newest version of the live strategy (None when no strategy is live)."""
    live = Strategy.objects.filter(live=True).first()
    return live.current if live else None


def live_strategy(as_of):
    """The end-of-day provider (``concord.eod.strategies``): ``(label, rows)`` of the champion, or None (the shipped
    table applies)."""
    sv = champion()
    if sv is None:
        return None
    return sv.label, trees.engine_rows(sv.tree)
