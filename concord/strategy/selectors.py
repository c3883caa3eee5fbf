"""Reads of the strategies: the live (champion) version, the provider the end-of-day run asks and the offer bounds the
arrangement calculator asks for (both through ``concord.eod.strategies``)."""
from __future__ import annotations

from . import tree as trees
from .models import ArmAssignment, ExperimentArm, Strategy, StrategyVersion


def champion() -> StrategyVersion | None:
    """The newest version of the live strategy (None when no strategy is live)."""
    live = Strategy.objects.filter(live=True).first()
    return live.current if live else None


def live_strategy(as_of):
    """The end-of-day provider (``concord.eod.strategies``): ``(label, rows)`` of the champion, or None (the shipped
    table applies). With a running experiment, the cases not yet in it are assigned first (audited), and the
    challengers' rows follow, numbered from ``arm * ARM_OFFSET``, with each case's arm: ``(label, rows, arms,
    budget, arm_budgets)``. ``budget`` is the champion's contact budget (None when it sets none; without an
    experiment it follows as a fourth item only when set), ``arm_budgets`` ``{arm: budget}`` of the challengers that
    set one: the run holds each person to the strictest budget of their active cases' arms (docs/strategy.md
    "Budget in the queue")."""
    from concord.eod.rules import ARM_OFFSET

    from . import experiments

    sv = champion()
    if sv is None:
        return None
    rows = trees.engine_rows(sv.tree)
    exp = experiments.running()
    budget = _budget(sv.tree)
    if exp is None:
        return (sv.label, rows) if not budget else (sv.label, rows, None, budget)
    experiments.assign("system:strategy", as_of)
    arm_budgets = {}
    for arm in exp.arms.select_related("version__strategy").filter(arm__gt=0):
        for r in trees.engine_rows(arm.version.tree):
            rows.append([r[0] + arm.arm * ARM_OFFSET, *r[1:]])
        if _budget(arm.version.tree):
            arm_budgets[arm.arm] = _budget(arm.version.tree)
    arms = list(ArmAssignment.objects.filter(experiment=exp, arm__gt=0).values_list("case_id", "arm"))
    return f"{sv.label} · #{exp.pk}", rows, arms, budget, arm_budgets


def _budget(tree: dict) -> dict | None:
    """The limits a tree's contact budget sets (None: it sets none)."""
    return {k: v for k, v in (tree.get("budget") or {}).items() if v is not None} or None


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


def versions_for(case_id: int) -> list[StrategyVersion]:
    """The strategy versions a case follows, first the one whose rules the end-of-day run tried first: in a running
    experiment, a challenger arm's version then the champion (a case its challenger's rules do not match falls to the
    champion's); otherwise the champion alone. Empty without a live strategy."""
    return _versions_by_case([case_id])[case_id]


def _versions_by_case(case_ids: list[int]) -> dict[int, list[StrategyVersion]]:
    """:func:`versions_for` of many cases, in a fixed number of queries."""
    from . import experiments

    sv = champion()
    if sv is None:
        return {c: [] for c in case_ids}
    out = {c: [sv] for c in case_ids}
    exp = experiments.running()
    if exp is not None:
        arm_of = dict(ArmAssignment.objects.filter(experiment=exp, case_id__in=case_ids, arm__gt=0).values_list(
            "case_id", "arm"))
        rows = {r.arm: r for r in ExperimentArm.objects.select_related("version__strategy").filter(
            experiment=exp, arm__in=set(arm_of.values()))}
        for case_id, arm in arm_of.items():
            row = rows.get(arm)
            if row is not None and row.version is not None:
                out[case_id] = [row.version, sv]
    return out


def _tightest(offers: list) -> dict:
    """Several rules of one segment: the tightest of each bound (a rule without an offer bounds nothing)."""
    out = {}
    for key in ("max_discount_pct", "max_months"):
        values = [o[key] for o in offers if o and o.get(key) is not None]
        out[key] = min(values) if values else None
    return out


def offer_for(case):
    """The offer bounds of ``case``: the offer of the rule for the segment the last end-of-day run gave it, in the
    version the case follows (:func:`versions_for`), as ``{"max_discount_pct", "max_months", "source"}`` — both None
    when the rule sets no offer — or None: no live strategy, no run has segmented the case yet, or no rule of that
    version has its segment (a segment of the shipped table, of a strategy no longer live, of a rule since removed).
    Where several rules share the segment, those that also gave the run's treatment count, and of them the tightest
    bound."""
    return offers_for([case]).get(case.pk)


def offers_for(cases) -> dict:
    """The offer-bounds provider (``concord.eod.strategies.offers_for``): :func:`offer_for` of many cases at once,
    ``{case_id: offer or None}``, in a fixed number of queries (the cases' end-of-day states, the champion, the
    running experiment and its arms)."""
    from concord.eod.models import CaseState

    ids = [c.pk for c in cases]
    states = {s["case_id"]: s for s in CaseState.objects.filter(case_id__in=ids).values(
        "case_id", "segment", "treatment")}
    out: dict = {pk: None for pk in ids}
    if not states:
        return out
    followed = _versions_by_case(list(states))
    for pk, state in states.items():
        for sv in followed[pk]:
            rules = [r for r in sv.tree.get("rules", []) if r.get("segment") == state["segment"]]
            if not rules:
                continue
            exact = [r for r in rules if r.get("treatment") == state["treatment"]]
            out[pk] = {**_tightest([r.get("offer") for r in (exact or rules)]),
                       "source": f"{sv.label} · {state['segment']}"}
            break
    return out
