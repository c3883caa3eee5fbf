"""The offer bounds a case gets from the live strategy (``eod.strategies.offer_for``): the rule of the segment the last
end-of-day run gave the case, in the version the case follows — its challenger arm's in a running experiment, else
the champion's newest — and nothing where no rule applies."""
from __future__ import annotations

import copy
import datetime as dt

import pytest

from concord.eod import adapter, strategies
from concord.eod.models import CaseState
from concord.strategy import arms, experiments, selectors, services

AS_OF = dt.date(2026, 11, 28)
pytestmark = pytest.mark.django_db


def with_offers(tree: dict, offers: dict, name: str | None = None) -> dict:
    """A copy of ``tree`` with ``offers`` (segment → offer or None) on its rules."""
    tree = copy.deepcopy(tree)
    if name:
        tree["name"] = name
    for rule in tree["rules"]:
        if rule["segment"] in offers:
            rule["offer"] = offers[rule["segment"]]
    return tree


def state(case, segment, treatment="call"):
    """The last end-of-day run's row for ``case`` (as the run's write-back leaves it)."""
    CaseState.objects.update_or_create(case_id=case.pk, defaults=dict(
        as_of=AS_OF, score=500, segment=segment, treatment=treatment, channel="call", priority=60, held=False,
        promise_state="none", arrangement=False))


def test_no_run_yet_no_rule_or_no_live_strategy_means_no_strategy_bound(world):
    case = world.cases["a"]
    services.save_version(world.users["manager"], "default",
                          with_offers(selectors.champion().tree, {"early": {"max_discount_pct": 10, "max_months": 12}}))
    assert strategies.offer_for(case) is None                      # no end-of-day run has segmented the case
    state(case, "not_in_the_tree")
    assert strategies.offer_for(case) is None                      # its segment is no rule's (e.g. the shipped table)
    state(case, "early")
    assert strategies.offer_for(case) == {"max_discount_pct": 10, "max_months": 12, "source": "default v2 · early"}
    state(case, "mid")                                             # a rule without an offer: found, but no bound
    assert strategies.offer_for(case) == {"max_discount_pct": None, "max_months": None, "source": "default v2 · mid"}
    from concord.strategy.models import Strategy

    Strategy.objects.update(live=False)
    assert strategies.offer_for(case) is None                      # no live strategy


def test_the_champions_newest_version_decides(world):
    case, manager = world.cases["a"], world.users["manager"]
    state(case, "early")
    tree = selectors.champion().tree
    services.save_version(manager, "default", with_offers(tree, {"early": {"max_discount_pct": 10, "max_months": 12}}))
    services.save_version(manager, "default", with_offers(tree, {"early": {"max_discount_pct": 5, "max_months": 6}}))
    assert strategies.offer_for(case) == {"max_discount_pct": 5, "max_months": 6, "source": "default v3 · early"}


def test_rules_sharing_a_segment_give_the_treatment_the_run_gave_else_the_tightest(world):
    case, manager = world.cases["a"], world.users["manager"]
    tree = copy.deepcopy(selectors.champion().tree)
    early = next(r for r in tree["rules"] if r["segment"] == "early")
    tree["rules"].append({**early, "rule_order": 65, "treatment": "call_soft",
                          "offer": {"max_discount_pct": 30, "max_months": 3}})
    early["offer"] = {"max_discount_pct": 10, "max_months": 24}
    services.save_version(manager, "default", tree)
    state(case, "early", "call_soft")
    assert strategies.offer_for(case)["max_discount_pct"] == 30
    state(case, "early", "gone")                                  # a treatment neither gives: the tightest of both
    assert strategies.offer_for(case) == {"max_discount_pct": 10, "max_months": 3, "source": "default v2 · early"}


def test_a_case_in_a_challenger_arm_follows_its_arms_version(world):
    manager = world.users["manager"]
    services.save_version(manager, "default",
                          with_offers(selectors.champion().tree, {"early": {"max_discount_pct": 10, "max_months": 12}}))
    tight = with_offers(selectors.champion().tree, {"early": {"max_discount_pct": 0, "max_months": 6}}, "Tight")
    tight["rules"] = [r for r in tight["rules"] if r["segment"] != "mid"]   # "mid" falls to the champion's rules
    challenger = services.save_version(manager, "tight", tight)
    cases = [world.cases[k] for k in ("a", "b", "u")]
    seed = next(s for s in range(1000) if {arms.arm_of(s, c.pk, [50, 50]) for c in cases} == {0, 1})
    exp = experiments.start(manager, 50, [(challenger.pk, 50)], seed=seed)
    experiments.assign("system:strategy", AS_OF)
    arm_of = {c.pk: arms.arm_of(seed, c.pk, [50, 50]) for c in cases}
    for case in cases:
        state(case, "early")
        expected = ({"max_discount_pct": 0, "max_months": 6, "source": "tight v1 · early"} if arm_of[case.pk] == 1
                    else {"max_discount_pct": 10, "max_months": 12, "source": "default v2 · early"})
        assert strategies.offer_for(case) == expected
        state(case, "mid")
        assert strategies.offer_for(case)["source"] == "default v2 · mid"
    experiments.end(manager, exp)                                  # the experiment over, every case the champion's
    for case in cases:
        state(case, "early")
        assert strategies.offer_for(case)["source"] == "default v2 · early"


def test_the_segment_comes_from_the_end_of_day_run(world):
    manager = world.users["manager"]
    adapter.run_eod(AS_OF)
    segments = dict(CaseState.objects.values_list("case_id", "segment"))
    offers = {s: {"max_discount_pct": 7, "max_months": 9} for s in set(segments.values())}
    services.save_version(manager, "default", with_offers(selectors.champion().tree, offers))
    for key in ("a", "b", "u"):
        case = world.cases[key]
        assert strategies.offer_for(case) == {"max_discount_pct": 7, "max_months": 9,
                                              "source": f"default v2 · {segments[case.pk]}"}
