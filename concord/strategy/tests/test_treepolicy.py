"""A strategy tree as the simulator's policy: paths by days in the segment, hours, priority, capacity, the tree's
contact budget and offers; ``concord simulate`` with a stored tree, a tree file and a malformed tree file."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from concord.strategy import simulate as sim
from concord.strategy import tree as trees
from concord.strategy.eodday import DailyEod
from concord.strategy.population import parse
from concord.strategy.tests.test_simulate import small, tiny
from concord.strategy.treepolicy import TreePolicy, TreeSpec
from concord.strategy.world import Side, make_book


def rule(order=10, segment="all", channel="call", priority=50, **extra) -> dict:
    return {"rule_order": order, "segment": segment, "treatment": segment, "channel": channel, "priority": priority,
            **extra}


def spec(*rules, budget=None) -> TreeSpec:
    return TreeSpec("t", trees.normalise({"name": "t", "budget": budget or {}, "rules": list(rules)}))


def play(pop_data: dict, tree: TreeSpec, days: int, capacity: int, seed: int = 3):
    """Each day's plan and line of a tree run: ``[(plan, line)]``, the book, the side and the policy."""
    pop = parse(pop_data)
    book = make_book(pop, seed)
    side, eod = Side(book, tree.label), DailyEod(strategy=tree.strategy_table())
    plans = []

    class Recording(TreePolicy):
        def plan(self, day, side, eod, capacity):
            p = super().plan(day, side, eod, capacity)
            plans.append(p)
            return p

    policy = Recording(tree.tree, tree.label)
    lines = [sim.play_day(side, policy, eod, day, capacity, book.draws(day)) for day in range(days)]
    assert sim.recheck(side) == 0
    return list(zip(plans, lines)), book, side, policy


SILENT = {"answer_by_hour": [0.0] * 24, "pay_after_conversation": 0.0}     # nobody answers, nobody pays


def test_path_steps_on_their_days_calls_between_within_the_rules_hours_by_balance():
    path = [{"day": 0, "action": "sms"}, {"day": 2, "action": "call"}, {"day": 5, "action": "letter"},
            {"day": 7, "action": "legal_review"}]
    days, book, _side, _policy = play(tiny(**SILENT), spec(rule(path=path, hours=[12, 14])), days=9, capacity=24)
    by_balance = [int(i) for i in np.argsort(-book.balance_fen, kind="stable")]
    calling = [(by_balance[0], 12), (by_balance[1], 13), (by_balance[2], 12), (by_balance[3], 13)]
    everyone = sorted(range(5))
    expected = [([], [(i, "sms") for i in everyone]), ([], []), (calling, []), (calling, []), (calling, []),
                ([], [(i, "letter") for i in everyone]), (calling, []), ([], []), ([], [])]
    got = [(p.calls, sorted(p.messages)) for p, _line in days]
    assert got == [(c, sorted(m)) for c, m in expected]
    # 24 calls a day spread over the 12 shift hours: the rule's hours 12–13 take two each, so the smallest balance
    # is not called; the attempts made are what was planned, none denied
    assert [line["attempts"] for _p, line in days] == [5, 0, 4, 4, 4, 5, 4, 0, 0]
    assert all(line["gate_denials"] == 0 for _p, line in days)


def test_days_count_from_entering_the_segment_and_a_rule_without_path_contacts_daily_by_its_channel():
    data = tiny(**SILENT, dpd={"min": 29, "max": 29})       # M1 on days 0–1, M2 from day 2
    tree = spec(rule(10, "early", "sms", buckets="M1", path=[{"day": 0, "action": "sms"}]),
                rule(20, "later", "letter", buckets="M2", path=[{"day": 1, "action": "letter"}]),
                rule(30, "late", "sms", buckets="M3"))
    days, _book, _side, _policy = play(data, tree, days=5, capacity=10)
    assert [sorted({ch for _i, ch in p.messages}) for p, _l in days] == [["sms"], [], [], ["letter"], []]
    assert [len(p.messages) for p, _l in days] == [5, 0, 0, 5, 0]
    data = tiny(**SILENT, dpd={"min": 60, "max": 60})       # M2 on day 0, M3 from day 1: the M2 path's letter on
    days, _book, _side, _policy = play(data, tree, days=5, capacity=10)     # its day 1 is never sent; M3 has no
    assert [len(p.messages) for p, _l in days] == [0, 5, 5, 5, 5]           # path: its channel every day
    assert all(ch == "sms" for p, _l in days for _i, ch in p.messages)


def test_the_trees_budget_limits_contacts_per_person():
    tree = spec(rule(channel="call"), budget={"daily_max": 2, "window_days": 7, "window_max": 3})
    days, _book, _side, _policy = play(tiny(**SILENT), tree, days=12, capacity=24)
    called = [d for d, (p, _l) in enumerate(days) if p.calls]
    # three contacts in any 7 days before the day: days 0–2, then 8–10 once day 1 and 2 leave the window
    assert called == [0, 1, 2, 8, 9, 10]
    assert all(len(p.calls) == 5 for p, _l in days if p.calls)
    days, _book, _side, _policy = play(tiny(**SILENT), spec(rule(channel="call"), budget={"daily_max": 0}), days=3,
                              capacity=24)
    assert all(not p.calls and not p.messages for p, _l in days)


def test_priority_orders_calls_within_capacity_visits_within_field_capacity_and_email_is_not_made():
    data = tiny(**SILENT)
    data["accounts"] = 6
    book = make_book(parse(data), 3)
    small_ones = sorted(range(6), key=lambda i: book.balance_fen[i])[:2]
    threshold = int(book.balance_fen[small_ones[1]])
    tree = spec(rule(10, "small", "call", 90, max_balance_fen=threshold),     # the two smallest balances first
                rule(20, "rest", "call", 10))
    days, _book, _side, _policy = play(data, tree, days=1, capacity=36)              # 3 calls in each shift hour
    calls = days[0][0].calls
    assert [i for i, _h in calls[:2]] == sorted(small_ones, key=lambda i: -book.balance_fen[i])
    assert len(calls) == 6 and [h for _i, h in calls] == [9, 10, 11, 12, 13, 14]
    days, _book, _side, _policy = play(data, spec(rule(channel="call", hours=[20, 21])), days=1, capacity=24)
    assert len(days[0][0].calls) == 2                                        # the 20:00 hour's two calls only
    days, _book, _side, _policy = play(data, spec(rule(channel="visit")), days=1, capacity=200)
    biggest = sorted(range(6), key=lambda i: -book.balance_fen[i])[:2]
    assert days[0][0].messages == [(i, "visit") for i in biggest]            # field teams: 200 // 100 visits
    days, _book, _side, policy = play(data, spec(rule(channel="email")), days=1, capacity=24)
    assert days[0][0].messages == [] and days[0][1]["attempts"] == 0
    assert policy.unmade == {"email": 6}


@pytest.mark.parametrize("offer,plans", [({"max_months": 3, "max_discount_pct": 10}, True),
                                         ({"max_months": 2, "max_discount_pct": 10}, False),
                                         ({"max_months": None, "max_discount_pct": 10}, True),   # no bound on the term
                                         (None, False)])
def test_plans_are_offered_where_the_rule_offers_them(offer, plans):
    data = tiny(needs_plan=1.0, promise_after_conversation=1.0, promise_kept=1.0)
    days, _book, side, _policy = play(data, spec(rule(channel="call", offer=offer)), days=1, capacity=24)
    plan, line = days[0]
    assert plan.offers == (frozenset(i for i, _h in plan.calls) if plans else frozenset())
    assert line["conversations"] == 5
    assert (line["plans"], line["promises"]) == ((5, 0) if plans else (0, 5))
    assert bool(side.plans) is plans


def _command(*args) -> list[dict]:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def population(tmp_path):
    path = tmp_path / "pop.json"
    path.write_text(json.dumps(small(200)), encoding="utf-8")
    return str(path)


ARGS = ("--days", "4", "--collectors", "2", "--calls-per-collector", "10", "--seed", "1", "--json")


@pytest.mark.django_db
def test_command_runs_stored_trees_newest_or_by_version(world, population):
    from concord.strategy import services

    challenger = {"name": "letters first", "budget": {"daily_max": 1},
                  "rules": [rule(10, "all", "call", path=[{"day": 0, "action": "letter"}, {"day": 1, "action": "call"}],
                                 hours=[18, 21])]}
    services.save_version(world.users["manager"], "challenger", challenger)
    challenger["rules"][0]["path"] = [{"day": 0, "action": "sms"}]
    services.save_version(world.users["manager"], "challenger", challenger)
    rows = _command("--population", population, "--strategy", "tree:challenger@1", "--baseline", "tree:challenger",
                    *ARGS)
    summary = rows[-1]["summary"]
    assert summary["strategy"]["name"] == "tree:challenger@1"
    assert summary["baseline"]["name"] == "tree:challenger@2"
    first, second = rows[0], rows[1]
    # version 1: a letter to every open case on day 1 (300 fen each), calls from day 2; version 2: one SMS each
    assert first["strategy"]["cost_fen"] == 300 * first["strategy"]["attempts"] and first["strategy"]["attempts"] > 0
    assert first["baseline"]["cost_fen"] == 5 * first["baseline"]["attempts"] and first["baseline"]["attempts"] > 0
    assert second["strategy"]["attempts"] > 0 and second["baseline"]["attempts"] == 0
    for side in summary.values():
        assert side["violations"] == 0 and side["unmade"] == {"email": 0}


@pytest.mark.django_db
def test_command_runs_the_default_stored_strategy_end_to_end(world, population):
    rows = _command("--population", population, "--strategy", "tree:default", "--baseline", "bucket", *ARGS)
    summary = rows[-1]["summary"]
    assert summary["strategy"]["name"] == "tree:default@1" and summary["baseline"]["name"] == "bucket"
    s = summary["strategy"]
    assert s["attempts"] == sum(r["strategy"]["attempts"] for r in rows[:-1]) > 0
    assert s["violations"] == 0 and s["net_fen"] == s["recovered_fen"] - s["cost_fen"]
    # the shipped table calls M1–M4 cases and texts promised ones, within the day's 20 calls
    assert all(r["strategy"]["attempts"] >= 1 for r in rows[:-1])


@pytest.mark.django_db
@pytest.mark.parametrize("ref,message", [
    ("tree:nobody", "--strategy: no stored strategy 'nobody' (stored: default)"),
    ("tree:default@9", "--strategy: strategy 'default' has no version 9 (versions: 1)"),
    ("tree:default@x", "--strategy: version not a whole number: 'x'"),
])
def test_command_unknown_stored_tree_exits_2(world, population, ref, message):
    with pytest.raises(CommandError) as err:
        call_command("simulate", "--population", population, "--strategy", ref)
    assert err.value.returncode == 2 and str(err.value) == message


def test_command_runs_a_tree_file(tmp_path, population):
    path = tmp_path / "challenger.json"
    path.write_text(json.dumps({"name": "sms only", "rules": [rule(channel="sms")]}), encoding="utf-8")
    rows = _command("--population", population, "--strategy", "bucket", "--baseline-file", str(path), *ARGS)
    summary = rows[-1]["summary"]
    assert summary["baseline"]["name"] == "file:challenger.json" and summary["strategy"]["name"] == "bucket"
    # an SMS to every open, not held case each day, nothing else
    b = summary["baseline"]
    assert b["cost_fen"] == 5 * b["attempts"] and rows[0]["baseline"]["attempts"] == 200
    rows = _command("--population", population, "--strategy-file", str(path), *ARGS)
    assert rows[-1]["summary"]["strategy"]["name"] == "file:challenger.json"
    assert rows[-1]["summary"]["baseline"]["name"] == "bucket"


@pytest.mark.parametrize("content,message", [
    (json.dumps({"name": "x", "rules": [rule(path=[{"day": 0, "action": "fax"}])]}),
     "rule 1: path: unknown_action"),
    (json.dumps({"name": "x", "budget": {"daily_max": 9}, "rules": [rule(hours=[20, 9])]}),
     "tree: budget.daily_max: over_cap:cn_bank:6; tree: budget.daily_max: over_cap:cn_online_lending:3; "
     "rule 1: hours: empty_range"),
    (json.dumps({"name": "x", "rules": []}), "tree: rules: no_rules"),
    ("{not json", "not JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
])
def test_command_malformed_tree_file_exits_2_naming_the_problem(tmp_path, population, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("simulate", "--population", population, "--strategy-file", str(path))
    assert err.value.returncode == 2
    assert str(err.value) == f"--strategy-file: {path}: {message}"


def test_command_refuses_both_a_name_and_a_file(tmp_path, population):
    with pytest.raises(CommandError, match="--baseline and --baseline-file: give one of them") as err:
        call_command("simulate", "--population", population, "--baseline", "bucket", "--baseline-file",
                     str(tmp_path / "x.json"))
    assert err.value.returncode == 2
    with pytest.raises(CommandError, match="--strategy-file: cannot read") as err:
        call_command("simulate", "--population", population, "--strategy-file", str(tmp_path / "absent.json"))
    assert err.value.returncode == 2


def test_concord_simulate_process_exits_2_on_a_malformed_tree_file(tmp_path, population):
    import os
    import subprocess
    import sys

    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "x", "rules": [rule(channel="fax")]}), encoding="utf-8")
    env = {**os.environ, "CONCORD_DEV_KEYS": "1"}
    done = subprocess.run([sys.executable, "-c", "from concord.cli import main; main()", "simulate", "--population",
                           population, "--strategy-file", str(path), "--json"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 2
    assert f"--strategy-file: {path}: rule 1: channel: unknown_channel" in done.stderr
    assert done.stdout == ""
