"""The live strategy's contact budget reaches the end-of-day queue: the shipped default (no budget) queues as the
shipped table does; a version with a daily budget of one contact queues each person at most once, one of none queues nobody."""
from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

import pytest

from concord.eod import adapter, strategies
from concord.eod.models import QueueEntry
from concord.strategy import selectors, services

AS_OF = dt.date(2026, 11, 28)


def _queue(run):
    return Counter(QueueEntry.objects.filter(run=run).values_list("case__debtor_id", flat=True))


def test_live_strategy_hands_its_budget_only_when_it_sets_one():
    assert strategies.budget_params({}) is None
    assert strategies.budget_params({"daily_max": None, "window_days": None, "window_max": None}) is None
    assert strategies.budget_params({"daily_max": 1}) == (1, None, None)
    assert strategies.budget_params({"window_days": 7, "window_max": 3}) == (None, 7, 3)


@pytest.mark.django_db
def test_a_daily_budget_limits_the_queue(world):
    default = selectors.champion()
    assert len(selectors.live_strategy(AS_OF)) == 2  # the default sets no budget: the engine gets none
    before = _queue(adapter.run_eod(AS_OF))
    strategies.unregister(selectors.live_strategy)
    try:
        shipped = _queue(adapter.run_eod(AS_OF))
    finally:
        strategies.register(selectors.live_strategy)
    assert shipped == before and before

    tree = copy.deepcopy(default.tree)
    tree["budget"] = {"daily_max": 1}
    services.save_version(world.users["manager"], "default", tree, note="one a day", based_on=default.version)
    assert selectors.live_strategy(AS_OF)[3]["daily_max"] == 1
    after = _queue(adapter.run_eod(AS_OF))
    assert after == Counter({p: min(n, 1) for p, n in before.items()})

    # a budget of none a day empties the queue (the cases are still segmented and allocated)
    tree["budget"] = {"daily_max": 0}
    services.save_version(world.users["manager"], "default", tree, note="none", based_on=default.version + 1)
    run = adapter.run_eod(AS_OF)
    assert not _queue(run) and run.summary["strategy"] == f"default v{default.version + 2}"


@pytest.mark.django_db
def test_a_challengers_budget_binds_its_arms_people_only(world):
    from concord.cases.models import Case
    from concord.strategy import arms, experiments
    from concord.strategy.models import ArmAssignment

    manager = world.users["manager"]
    before = _queue(adapter.run_eod(AS_OF))  # the champion sets no budget
    tree = copy.deepcopy(selectors.champion().tree)
    tree["name"], tree["budget"] = "Quiet", {"daily_max": 0}  # the champion's rules, and no contact at all
    challenger = services.save_version(manager, "quiet", tree)
    active = list(Case.objects.filter(status__in=experiments.ACTIVE_STATUSES).values_list("pk", "debtor_id"))
    people: dict[int, list] = {}
    for case_id, person in active:
        people.setdefault(person, []).append(case_id)

    def spread(seed):  # the arms of each person's active cases under this seed
        return {p: {arms.arm_of(seed, c, [50, 50]) for c in cs} for p, cs in people.items()}

    # a seed that queues people of either arm (the world is small; a person in both arms, held to the strictest,
    # is tested on the engine in concord/eod/tests/test_strategy_budget.py)
    seed = next(s for s in range(2000) if {frozenset(a) for p, a in spread(s).items() if p in before}
                >= {frozenset({0}), frozenset({1})})
    exp = experiments.start(manager, 50, [(challenger.pk, 50)], seed=seed)
    assert selectors.live_strategy(AS_OF)[3:] == (None, {1: {"daily_max": 0}})
    after = _queue(adapter.run_eod(AS_OF))
    arm = dict(ArmAssignment.objects.filter(experiment=exp).values_list("case_id", "arm"))
    of = {p: {arm[c] for c in cs} for p, cs in people.items()}
    assert of == spread(seed)
    # the champion's people keep their queue; anyone with an active case in the challenger's arm gets none
    assert after == +Counter({p: 0 if 1 in of[p] else n for p, n in before.items()})
    assert any(of[p] == {0} for p in after)
