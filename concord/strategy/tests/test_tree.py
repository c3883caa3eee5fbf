"""The strategy tree as data: validation (every problem named by rule, field and reason; a budget over a pack's cap
refused, saying which pack and cap) and the engine rows (the shipped table round-trips)."""
from __future__ import annotations

import json

import pytest

from concord.eod import rules
from concord.strategy import tree

SHIPPED = json.loads((rules.DATA / "strategy.json").read_text("utf-8"))
CAPS = {"strict": {"daily_max": 1, "window_days": 7, "window_max": 3},
        "loose": {"daily_max": 3, "window_days": None, "window_max": None}}


def _rule(**kw):
    r = {"rule_order": 10, "segment": "early", "treatment": "call", "channel": "call", "priority": 60}
    r.update(kw)
    return r


def _problems(t, caps=None):
    with pytest.raises(tree.TreeError) as exc:
        tree.normalise(t, caps)
    return exc.value.problems


def test_shipped_table_round_trips_to_the_same_engine_rows():
    t = tree.normalise(tree.from_engine_json(SHIPPED))
    assert tree.engine_rows(t) == SHIPPED["rules"]
    assert t["rules"][0]["path"] == [] and t["rules"][0]["offer"] is None


def test_a_full_rule_is_cleaned():
    t = tree.normalise({"name": " Early ", "budget": {"daily_max": "1", "window_days": 7, "window_max": 3},
                        "rules": [_rule(buckets="M2, M1", path=[{"day": 0, "action": "sms"}, {"day": 2, "action": "call"},
                                                               {"day": 45, "action": "legal_review"}],
                                        hours=[9, 20], offer={"max_discount_pct": 20, "max_months": 12},
                                        held="false", min_balance_fen="100")]}, CAPS)
    r = t["rules"][0]
    assert t["name"] == "Early" and t["budget"] == {"daily_max": 1, "window_days": 7, "window_max": 3}
    assert r["buckets"] == "M1,M2" and r["held"] is False and r["min_balance_fen"] == 100
    assert [s["day"] for s in r["path"]] == [0, 2, 45] and r["hours"] == [9, 20]


def test_every_problem_is_named_by_rule_and_field():
    problems = _problems({"name": "x", "rules": [
        _rule(), _rule(rule_order=10, channel="fax", priority="high", buckets="M9", hours=[20, 9],
                       path=[{"day": 5, "action": "sms"}, {"day": 2, "action": "call"}], min_score=500, max_score=100,
                       colour="red")]})
    assert set(problems) == {(2, "colour", "unknown_field"), (2, "channel", "unknown_channel"),
                             (2, "priority", "not_a_number"), (2, "buckets", "unknown_bucket"),
                             (2, "hours", "empty_range"), (2, "path", "path_order"),
                             (2, "max_score", "empty_range"), (1, "rule_order", "duplicate_order"),
                             (2, "rule_order", "duplicate_order")}
    assert (None, "rules", "no_rules") in _problems({"name": "x", "rules": []})
    assert (None, "name", "bad_title") in _problems({"rules": [_rule()]})


def test_a_budget_over_a_packs_cap_is_refused_with_the_pack_and_cap():
    assert (None, "budget.daily_max", "over_cap:strict:1") in _problems(
        {"name": "x", "budget": {"daily_max": 2}, "rules": [_rule()]}, CAPS)
    # 2 a day over any 3 days lets 6 through in the strict pack's 7 days (ceil(7/3) = 3 windows) > 3
    assert (None, "budget.window_max", "over_cap:strict:3/7") in _problems(
        {"name": "x", "budget": {"window_days": 3, "window_max": 2}, "rules": [_rule()]}, CAPS)
    # 1 over 7 days: at most 1 in the pack's 7 days
    assert tree.normalise({"name": "x", "budget": {"daily_max": 1, "window_days": 7, "window_max": 1},
                           "rules": [_rule()]}, CAPS)["budget"]["window_max"] == 1
    assert (None, "budget.window_max", "window_incomplete") in _problems(
        {"name": "x", "budget": {"window_days": 3}, "rules": [_rule()]}, CAPS)


def test_diff_names_added_removed_and_changed_rules():
    a = tree.normalise({"name": "a", "rules": [_rule(), _rule(rule_order=20, segment="late")]})
    b = tree.normalise({"name": "a", "budget": {"daily_max": 1},
                        "rules": [_rule(channel="sms"), _rule(rule_order=30, segment="new")]})
    d = tree.diff(a, b)
    assert d == {"added": ["new"], "removed": ["late"], "changed": {"early": ["channel"]}, "budget": ["daily_max"],
                 "renamed": False}


PATH = [{"day": 0, "action": "sms"}, {"day": 2, "action": "call"}, {"day": 7, "action": "letter"},
        {"day": 20, "action": "visit"}, {"day": 45, "action": "legal_review"}]


def test_a_path_gives_one_off_steps_on_their_day_and_calls_between_them_until_legal_review_which_stays():
    by_day = [tree.path_action(PATH, d) for d in range(50)]
    assert by_day[:3] == ["sms", None, "call"]
    assert by_day[3:7] == ["call"] * 4
    assert by_day[7] == "letter" and by_day[8:20] == ["call"] * 12
    assert by_day[20] == "visit" and by_day[21:45] == ["call"] * 24
    # from the legal review on, the case stays due for it (no contact)
    assert by_day[45:] == ["legal_review"] * 5
    assert [tree.path_action([{"day": 3, "action": "letter"}], d) for d in range(5)] == [None] * 3 + ["letter", None]
    assert tree.path_action([], 0) is None


def test_preferred_hours_stay_within_the_packs_hours():
    assert tree.preferred_hours(None, (8, 21)) == (8, 21)
    assert tree.preferred_hours([18, 22], (8, 21)) == (18, 21)
    assert tree.preferred_hours([6, 10], (8, 21)) == (8, 10)
    assert tree.preferred_hours([22, 24], (8, 21)) == (8, 21)       # no overlap: the preference is ignored


def test_an_offer_bound_left_out_bounds_nothing():
    rule = lambda offer: tree.normalise({"name": "x", "rules": [_rule(offer=offer)]})["rules"][0]["offer"]  # noqa: E731
    assert rule({"max_discount_pct": "20"}) == {"max_discount_pct": 20, "max_months": None}
    assert rule({"max_months": 6, "max_discount_pct": None}) == {"max_discount_pct": None, "max_months": 6}
    assert rule({"max_discount_pct": None, "max_months": ""}) is None
    assert rule({"max_discount_pct": 0, "max_months": 1}) == {"max_discount_pct": 0, "max_months": 1}
    with pytest.raises(tree.TreeError):
        rule({"max_discount_pct": 101})
    with pytest.raises(tree.TreeError):
        rule({"max_months": 61})


def test_legal_status_takes_the_legal_apps_states_and_none():
    from concord.legal.models import LegalStatus

    assert set(tree.LEGAL_STATUSES) == {"none", *LegalStatus.values}
    assert tree.LEGAL_STATUSES == rules.LEGAL_STATUSES  # the engine's check and compilation know the same values
    assert tree.ACTIONS == rules.PATH_ACTIONS
    for status in tree.LEGAL_STATUSES:
        assert tree.normalise({"name": "x", "rules": [_rule(legal_status=status)]})["rules"][0]["legal_status"] == status
    assert tree.normalise({"name": "x", "rules": [_rule(legal_status="")]})["rules"][0]["legal_status"] is None
    assert (1, "legal_status", "unknown_legal_status") in _problems({"name": "x", "rules": [_rule(legal_status="sued")]})


def test_the_engine_rows_carry_the_path_hours_and_legal_status():
    t = tree.normalise({"name": "x", "rules": [_rule(legal_status="closed", hours=[9, 12],
                                                     path=[{"day": 0, "action": "sms"}, {"day": 3, "action": "call"}])]})
    row = dict(zip(tree.TABLE_COLUMNS, tree.engine_rows(t)[0]))
    assert row["legal_status"] == "closed" and row["path"] == "0:sms,3:call"
    assert (row["hours_from"], row["hours_to"]) == (9, 12)
    assert rules.parse_path(row["path"]) == [(0, "sms"), (3, "call")]
    # and back: the table's shape gives the same tree
    again = tree.normalise(tree.from_engine_json({"name": "x", "columns": list(tree.TABLE_COLUMNS),
                                                  "rules": tree.engine_rows(t)}))
    assert again["rules"] == t["rules"]
    assert tuple(tree.TABLE_COLUMNS) == tuple(rules.schema.INPUT_TABLES["strategy"][0].names)
