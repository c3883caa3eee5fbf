"""Strategies as versioned data in the end-of-day run: the default strategy (the shipped table, written by the
migration) gives the same run as the shipped ``strategy.json``; a new version changes the cases' treatments; roll
back restores them; a tree over a pack's cap is refused and nothing is written."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concord.core.models import AuditEvent
from concord.eod import adapter, strategies
from concord.eod.models import CaseState
from concord.strategy import selectors, services
from concord.strategy.models import Strategy, StrategyVersion

AS_OF = dt.date(2026, 11, 28)


def _states():
    return {c: (s, t, ch, p) for c, s, t, ch, p in
            CaseState.objects.values_list("case_id", "segment", "treatment", "channel", "priority")}


@pytest.mark.django_db
def test_default_version_runs_as_the_shipped_table_and_an_edit_changes_treatments(world):
    champion = selectors.champion()
    assert champion.label == "default v1" and champion.tree == services.check(services.shipped_tree())
    run = adapter.run_eod(AS_OF)
    assert run.summary["strategy"] == "default v1"
    with_default = _states()
    assert with_default
    strategies.unregister(selectors.live_strategy)
    try:
        shipped_run = adapter.run_eod(AS_OF)
    finally:
        strategies.register(selectors.live_strategy)
    assert shipped_run.summary["strategy"] == strategies.SHIPPED
    assert _states() == with_default

    manager = world.users["manager"]
    edited = copy.deepcopy(champion.tree)
    for r in edited["rules"]:
        r["treatment"], r["channel"] = "letter_first", "letter"
    sv = services.save_version(manager, "default", edited, note="letters", based_on=1)
    assert sv.version == 2 and selectors.champion() == sv
    run = adapter.run_eod(AS_OF)
    assert run.summary["strategy"] == "default v2"
    after = _states()
    assert set(after) == set(with_default)
    assert {t for _s, t, _c, _p in after.values()} == {"letter_first"}
    assert {c for _s, _t, c, _p in after.values()} == {"letter"}
    ev = AuditEvent.objects.filter(action="strategy.save").latest("id")
    assert ev.changes["version"] == 2 and set(ev.changes["changed"]) == {r["segment"] for r in edited["rules"]}

    back = services.rollback(manager, "default", 1)
    assert back.version == 3 and back.tree == champion.tree
    adapter.run_eod(AS_OF)
    assert _states() == with_default


@pytest.mark.django_db
def test_bad_trees_and_stale_saves_are_refused_without_a_write(world):
    manager = world.users["manager"]
    tree = copy.deepcopy(selectors.champion().tree)
    tree["budget"] = {"daily_max": 40}
    with pytest.raises(ValidationError) as exc:
        services.save_version(manager, "default", tree)
    assert any("cn_online_lending" in m for m in exc.value.messages)
    tree["budget"] = {}
    tree["rules"][0]["channel"] = "fax"
    with pytest.raises(ValidationError) as exc:
        services.save_version(manager, "default", tree)
    assert any("channel" in m for m in exc.value.messages)
    tree["rules"][0]["channel"] = "none"
    services.save_version(manager, "default", tree, based_on=1)
    with pytest.raises(ValidationError):
        services.save_version(manager, "default", tree, based_on=1)    # someone saved v2 meanwhile
    with pytest.raises(ValidationError):
        services.save_version(manager, "Bad Code!", tree)
    assert StrategyVersion.objects.count() == 2 and Strategy.objects.count() == 1


@pytest.mark.django_db
def test_make_live_switches_the_champion_and_ensure_default_restores_a_flushed_database(world):
    manager = world.users["manager"]
    tree = copy.deepcopy(selectors.champion().tree)
    tree["name"] = "Gentle"
    services.save_version(manager, "gentle", tree)
    assert selectors.champion().label == "default v1"
    services.make_live(manager, "gentle")
    assert selectors.champion().label == "gentle v1"
    assert list(Strategy.objects.filter(live=True).values_list("code", flat=True)) == ["gentle"]
    assert AuditEvent.objects.filter(action="strategy.make_live").latest("id").changes == {
        "before": "default", "after": "gentle"}
    with pytest.raises(ValidationError):
        services.make_live(manager, "nothing")
    assert services.ensure_default() is None          # strategies exist: nothing written
    StrategyVersion.objects.all().delete()
    Strategy.objects.all().delete()
    s = services.ensure_default()
    assert s.live and selectors.champion().label == "default v1"
