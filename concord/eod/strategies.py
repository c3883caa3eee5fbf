"""Who provides the end-of-day run's strategy table: functions called before the engine runs, with ``(as_of)``, each
returning ``None``, ``(name, rows)``, ``(name, rows, arms)``, ``(name, rows, arms, budget)`` or
``(name, rows, arms, budget, arm_budgets)`` — ``rows`` lists of the ``strategy`` input table's columns, the shape of
``data/strategy.json``'s ``rules``; ``arms`` ``(case_id, arm)`` pairs of a champion/challenger experiment, the
``strategy_arms`` input table (arm ``n`` applies the rows numbered from ``n * rules.ARM_OFFSET``), or None; ``budget``
the (champion) strategy's contact budget per person, ``{"daily_max", "window_days", "window_max"}`` (None: none of its
own), given to the engine as ``Params.strategy_budget``; ``arm_budgets`` ``{arm: budget}`` of the challengers that set
one, given as ``Params.challenger_budgets`` (a person is held to the strictest budget of their active cases' arms).

An explicit list, as :mod:`concord.eod.scorecards`: an app above the engine (the versioned strategies of
``concord.strategy``) adds its provider in ``AppConfig.ready()``, and :func:`concord.eod.adapter.run_eod` asks the
providers in registration order; the first that returns a strategy segments the run's cases through the same
compiled expressions as the shipped table (``rules.compile_strategy``). Without one, ``data/strategy.json``
applies. The run's summary names the strategy used (``summary.strategy``).
"""
from __future__ import annotations

import pyarrow as pa

from . import schema
from .providers import Providers

_PROVIDERS = Providers()
register, unregister = _PROVIDERS.register, _PROVIDERS.unregister
SHIPPED = "shipped"


def as_table(rows: list) -> pa.Table:
    """Strategy rows as the engine's ``strategy`` input table."""
    return schema.input_table("strategy", rows)


def arms_table(arms: list) -> pa.Table:
    """``(case_id, arm)`` pairs as the engine's ``strategy_arms`` input table."""
    return schema.input_table("strategy_arms", arms)


def budget_params(budget: dict | None) -> tuple | None:
    """A tree's ``budget`` as ``engine.Params.strategy_budget`` (None when it sets nothing)."""
    values = tuple((budget or {}).get(k) for k in ("daily_max", "window_days", "window_max"))
    return None if all(v is None for v in values) else values


def challenger_params(arm_budgets: dict | None) -> tuple:
    """``{arm: budget}`` as ``engine.Params.challenger_budgets``: ``((arm, daily_max, window_days, window_max), ...)``
    by arm, leaving out the arms whose budget sets nothing."""
    out = []
    for arm in sorted(arm_budgets or {}):
        values = budget_params(arm_budgets[arm])
        if values is not None:
            out.append((int(arm), *values))
    return tuple(out)


def current(as_of) -> tuple[str, pa.Table | None, pa.Table | None, tuple | None, tuple]:
    """``(name, table, arms, budget, challenger_budgets)`` of the first provider's strategy, or
    ``(SHIPPED, None, None, None, ())`` (the engine's default, no experiment, no budget but the packs')."""
    found = _PROVIDERS.first(as_of)
    if found is None:
        return SHIPPED, None, None, None, ()
    name, rows, *rest = found
    arms = rest[0] if rest else None
    budget = rest[1] if len(rest) > 1 else None
    arm_budgets = rest[2] if len(rest) > 2 else None
    return (name, as_table(rows), arms_table(arms) if arms is not None else None, budget_params(budget),
            challenger_params(arm_budgets))


# -- offer bounds ------------------------------------------------------------------------------------------------------
# Who tells the arrangement calculator the cases' offer bounds (docs/strategy.md "Offer bounds"): functions of a list of
# cases returning ``{case_id: offer}``, an offer being ``{"max_discount_pct": int|None, "max_months": int|None,
# "source": "<strategy> v<n> · <segment>"}`` — the offer of the strategy rule for the segment the last end-of-day run
# gave the case (both None: the rule sets no offer) — or None (no strategy rule applies: no live strategy, no run yet
# for the case, or its segment is not in the tree); a case left out counts as None. Many cases at once, so that a page
# listing many (the approvals queue) reads a fixed number of queries. ``concord.strategy`` registers one in
# ``AppConfig.ready()``; the apps below it ask :func:`offer_for` or :func:`offers_for`.
_OFFER_PROVIDERS = Providers()
register_offer, unregister_offer = _OFFER_PROVIDERS.register, _OFFER_PROVIDERS.unregister


def offers_for(cases) -> dict:
    """``{case_id: offer or None}`` for ``cases``: per case, the first provider's answer that is not None."""
    cases = list(cases)
    out: dict = {c.pk: None for c in cases}
    for fn in _OFFER_PROVIDERS.functions():
        pending = [c for c in cases if out[c.pk] is None]
        if not pending:
            break
        for pk, found in (fn(pending) or {}).items():
            if pk in out and out[pk] is None:
                out[pk] = found
    return out


def offer_for(case) -> dict | None:
    """The first provider's offer bounds for ``case``, or None (the strategy adds no bound)."""
    return offers_for([case])[case.pk]
