"""Reads of the strategies: the live (champion) version and the provider the end-of-day run asks."""
from __future__ import annotations

from . import tree as trees
from .models import ArmAssignment, Strategy, StrategyVersion


def champion() -> StrategyVersion | None:
    """The newest version of the live strategy (None when no strategy is live)."""
    live = Strategy.objects.filter(live=True).first()
    return live.current if live else None


def live_strategy(as_of):
    """The end-of-day provider (``concord.eod.strategies``): ``(label, rows)`` of the champion, or None (the shipped
    table applies). With a running experiment, the cases not yet in it are assigned first (audited), and the
    challengers' rows follow, numbered from ``arm * ARM_OFFSET``, with each case's arm: ``(label, rows, arms)``. The
    champion's contact budget follows as a fourth item when it sets one (it applies to every person, whatever
    their cases' arms)."""
    from concord.eod.rules import ARM_OFFSET

    from . import experiments

    sv = champion()
    if sv is None:
        return None
    rows = trees.engine_rows(sv.tree)
    exp = experiments.running()
    budget = {k: v for k, v in (sv.tree.get("budget") or {}).items() if v is not None} or None
    if exp is None:
        return (sv.label, rows) if not budget else (sv.label, rows, None, budget)
    experiments.assign("system:strategy", as_of)
    for arm in exp.arms.select_related("version__strategy").filter(arm__gt=0):
        for r in trees.engine_rows(arm.version.tree):
            rows.append([r[0] + arm.arm * ARM_OFFSET, *r[1:]])
    arms = list(ArmAssignment.objects.filter(experiment=exp, arm__gt=0).values_list("case_id", "arm"))
    return f"{sv.label} · #{exp.pk}", rows, arms, budget


def version(code: str, number: int | None = None) -> StrategyVersion | None:
    """Version ``number`` of strategy ``code`` (its newest when None), or None."""
    qs = StrategyVersion.objects.select_related("strategy").filter(strategy__code=code)
    return (qs.filter(version=number) if number is not None else qs.order_by("-version")).first()


def versions(code: str) -> list[int]:
    """The version numbers of strategy ``code``, oldest first (empty when there is no such strategy)."""
    return list(StrategyVersion.objects.filter(strategy__code=code).order_by("version").values_list("version",
                                                                                                   flat=True))


def codes() -> list[str]:
    return list(Strategy.objects.order_by("code").values_list("code", flat=True))
