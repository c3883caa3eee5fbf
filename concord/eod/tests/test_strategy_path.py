"""The strategy's treatment path, preferred hours and legal status in the end-of-day run: the engine's path action
is ``concord.strategy.tree.path_action`` (the oracle) over random paths and days; the queue contacts by the path's
action, marks legal reviews without queueing them, starts at the preferred hours within the pack's; the segment
date is carried over while the segment stays; the legal status condition reads ``case_facts.legal``; DuckDB and
Spark agree."""
from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
import pytest

from concord.eod import engine, rules, schema, strategies, synth, validate
from concord.strategy import tree

AS_OF = dt.date(2026, 11, 28)
QD = AS_OF + dt.timedelta(days=1)
COLS = schema.INPUT_TABLES["strategy"][0].names


def _random_path(rng) -> list[dict]:
    days = sorted(rng.sample(range(0, 40), rng.randint(1, 6)))
    return [{"day": d, "action": rng.choice(tree.ACTIONS)} for d in days]


def test_the_engine_path_action_is_the_tree_path_action():
    rng = random.Random(3)
    paths = {10 * (i + 1): _random_path(rng) for i in range(60)}
    table = strategies.as_table([[order, f"s{order}", "t", "call", 1] + [None] * 11
                                 + [tree.path_text(p), None, None] for order, p in paths.items()]
                                + [[9999, "nopath", "t", "call", 1] + [None] * 14])
    rows = [(order, d) for order in [*paths, 9999] for d in range(0, 50)]
    t = ibis.memtable(pa.table({"rule_order": pa.array([r[0] for r in rows], pa.int32()),
                                "days_in": pa.array([r[1] for r in rows], pa.int64())}))
    con = ibis.duckdb.connect()
    got = con.to_pyarrow(t.mutate(action=rules.compile_path_action(table, t.rule_order, t.days_in))
                         .order_by(["rule_order", "days_in"])).to_pylist()
    assert len(got) == len(rows)
    seen = set()
    for r in got:
        want = tree.path_action(paths[r["rule_order"]], r["days_in"]) if r["rule_order"] in paths else None
        assert r["action"] == want, (paths.get(r["rule_order"]), r["days_in"])
        seen.add(want)
    assert seen == {None, *tree.ACTIONS}  # every kind of answer was exercised


def test_preferred_hours_follow_the_tree_within_the_pack():
    budget = rules.pack_budget("cn_bank")  # 08:00–22:00
    allowed = (budget.start_seconds // 3600, budget.end_seconds // 3600)
    assert allowed == (8, 22)
    for hours in (None, [9, 12], [6, 10], [20, 24], [22, 24], [0, 8], [6, 7], [8, 22], [0, 24]):
        assert rules.preferred_start(hours, budget) == tree.preferred_hours(hours, allowed)[0] * 3600, hours


def _strategy(*rows) -> pa.Table:
    """Strategy rows from dicts over the default's columns (unset: null)."""
    return strategies.as_table([[r.get(c) for c in COLS] for r in rows])


PATHED = [
    {"rule_order": 10, "segment": "hold", "treatment": "hold", "channel": "none", "priority": 0, "held": True},
    {"rule_order": 20, "segment": "current", "treatment": "none", "channel": "none", "priority": 0, "buckets": "M0"},
    {"rule_order": 30, "segment": "early", "treatment": "sms_then_call", "channel": "call", "priority": 60,
     "buckets": "M1,M2", "path": "0:sms,2:call,5:letter", "hours_from": 10, "hours_to": 12},
    {"rule_order": 40, "segment": "late", "treatment": "to_law", "channel": "call", "priority": 50,
     "buckets": "M5,M6,M7+", "path": "0:call,3:legal_review"},
    {"rule_order": 99, "segment": "other", "treatment": "call", "channel": "call", "priority": 10},
]
PATHS = {30: [{"day": 0, "action": "sms"}, {"day": 2, "action": "call"}, {"day": 5, "action": "letter"}],
         40: [{"day": 0, "action": "call"}, {"day": 3, "action": "legal_review"}]}
SEGMENT_RULE = {r["segment"]: r["rule_order"] for r in PATHED}


@pytest.fixture(scope="module")
def snap():
    return synth.snapshot(300, seed=11, as_of=AS_OF)


def _segments(case_state: pa.Table, since_for) -> pa.Table:
    """A ``case_segments`` input: each case's segment of ``case_state`` and the date ``since_for(case_id)``."""
    ids = case_state.column("case_id").to_pylist()
    return schema.input_table("case_segments", [(c, s, since_for(c)) for c, s in
                                                zip(ids, case_state.column("segment").to_pylist())])


def _by_case(table: pa.Table) -> dict:
    return {r["case_id"]: r for r in table.to_pylist()}


def test_the_queue_follows_the_path_of_the_day(snap):
    first = engine.run(dict(snap, strategy=_strategy(*PATHED)), AS_OF)
    cs = first.tables["case_state"]
    assert set(cs.column("segment_since").to_pylist()) == {AS_OF}  # no previous segments: every case enters today
    # each case entered its segment a number of days ago that depends on its id: 0 … 6
    ago = {c: c % 7 for c in cs.column("case_id").to_pylist()}
    segs = _segments(cs, lambda c: AS_OF - dt.timedelta(days=ago[c]))
    run = engine.run(dict(snap, strategy=_strategy(*PATHED), case_segments=segs), AS_OF)
    cases, queue = _by_case(run.tables["case_state"]), _by_case(run.tables["contact_queue"])
    checked = {"sms": 0, "call": 0, "letter": 0, "legal_review": 0, "none": 0}
    for case_id, c in cases.items():
        assert c["segment_since"] == AS_OF - dt.timedelta(days=ago[case_id])
        rule = SEGMENT_RULE[c["segment"]]
        if rule not in PATHS:
            assert c["path_action"] is None
            if case_id in queue:
                assert queue[case_id]["channel"] == c["channel"]
            continue
        want = tree.path_action(PATHS[rule], ago[case_id])
        assert c["path_action"] == want, (case_id, rule, ago[case_id])
        if want in (None, "legal_review"):
            assert case_id not in queue  # nothing that day, or due for legal review: no queue entry
            checked[want or "none"] += 1
        elif case_id in queue:
            assert queue[case_id]["channel"] == want
            checked[want] += 1
    assert all(checked.values()), checked


def test_preferred_hours_move_the_earliest_time(snap):
    rows = [dict(r) for r in PATHED]
    run = engine.run(dict(snap, strategy=_strategy(*rows)), AS_OF)
    cases, queue = _by_case(run.tables["case_state"]), run.tables["contact_queue"].to_pylist()
    persons = {r["person_id"]: r["time_zone"] for r in snap["persons"].to_pylist()}
    packs = {r["creditor_id"]: r["policy_pack"] for r in snap["creditors"].to_pylist()}
    seen = set()
    for q in queue:
        c = cases[q["case_id"]]
        budget = rules.pack_budget(packs[c["creditor_id"]])
        hours = [10, 12] if c["segment"] == "early" else None
        start = rules.preferred_start(hours, budget)
        zone = ZoneInfo(persons[q["person_id"]] or budget.timezone)
        local = q["earliest_at"].astimezone(zone)
        assert local.date() == QD and local.hour * 3600 + local.minute * 60 == start, (q, c["segment"])
        seen.add(local.hour)
    assert 10 in seen and 8 in seen
    # a preference that does not meet the pack's hours is ignored: the pack's start, as without a preference
    rows[2] = dict(rows[2], hours_from=22, hours_to=24)
    late = engine.run(dict(snap, strategy=_strategy(*rows)), AS_OF).tables["contact_queue"]
    rows[2] = dict(rows[2], hours_from=None, hours_to=None)
    none = engine.run(dict(snap, strategy=_strategy(*rows)), AS_OF).tables["contact_queue"]
    assert late.equals(none) and not late.equals(run.tables["contact_queue"])


def test_the_segment_date_is_carried_over_while_the_segment_stays(snap):
    first = engine.run(dict(snap, strategy=_strategy(*PATHED)), AS_OF)
    cs = first.tables["case_state"]
    segs = _segments(cs, lambda c: AS_OF)
    # one case had another segment before: it enters its segment on the next day
    moved = cs.column("case_id").to_pylist()[0]
    segs = schema.input_table("case_segments", [
        (r["case_id"], "elsewhere" if r["case_id"] == moved else r["segment"], r["segment_since"])
        for r in segs.to_pylist()])
    nxt = AS_OF + dt.timedelta(days=1)
    later = _by_case(engine.run(dict(snap, strategy=_strategy(*PATHED), case_segments=segs), nxt)
                     .tables["case_state"])
    before = _by_case(cs)
    for case_id, c in later.items():
        if case_id == moved or c["segment"] != before[case_id]["segment"]:
            assert c["segment_since"] == nxt
        else:
            assert c["segment_since"] == AS_OF


def test_the_legal_status_condition_reads_the_case_facts(snap):
    ids = snap["cases"].column("case_id").to_pylist()
    legal = {c: ("active" if c % 5 == 0 else "closed" if c % 5 == 1 else "none") for c in ids}
    facts = schema.input_table("case_facts", [(c, None, None, None, None, None, legal[c]) for c in ids if c % 3])
    rows = [{"rule_order": 5, "segment": "in_law", "treatment": "legal", "channel": "none", "priority": 0,
             "legal_status": "active"},
            {"rule_order": 6, "segment": "law_ended", "treatment": "call", "channel": "call", "priority": 5,
             "legal_status": "closed"},
            {"rule_order": 7, "segment": "never", "treatment": "call", "channel": "call", "priority": 5,
             "legal_status": "none"}]
    run = engine.run(dict(snap, strategy=_strategy(*rows), case_facts=facts), AS_OF)
    for c in run.tables["case_state"].to_pylist():
        status = legal[c["case_id"]] if c["case_id"] % 3 else "none"  # no row: no legal case
        assert c["segment"] == {"active": "in_law", "closed": "law_ended", "none": "never"}[status]
    # without a legal status in the rules the case facts are not read: the shipped strategy is unchanged
    plain = engine.run(snap, AS_OF).tables["case_state"]
    assert engine.run(dict(snap, case_facts=facts), AS_OF).tables["case_state"].equals(plain)


def test_a_bad_strategy_table_is_refused(snap):
    rows = [dict(PATHED[-1], path="0:sms,0:call"), dict(PATHED[2], legal_status="pending"),
            dict(PATHED[3], hours_from=12, hours_to=9)]
    with pytest.raises(validate.SnapshotError) as err:
        validate.validate(dict(snap, strategy=_strategy(*rows)), AS_OF)
    text = str(err.value)
    assert "strategy.path: must be day:action steps" in text and "rule_order=99" in text
    assert "strategy.legal_status: must be one of none, active, closed" in text
    assert "strategy.hours_to: preferred hours" in text


def test_the_shipped_strategy_has_no_path():
    default = rules.default_strategy()
    assert set(default.column("path").to_pylist()) == {None} and set(default.column("legal_status").to_pylist()) == {None}


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_paths_hours_and_legal_status(snap):
    from concord.eod.backend import spark_session

    ids = snap["cases"].column("case_id").to_pylist()
    facts = schema.input_table("case_facts", [(c, None, None, None, None, None,
                                               "active" if c % 4 == 0 else "none") for c in ids])
    rows = [dict(r) for r in PATHED]
    rows.insert(1, {"rule_order": 15, "segment": "in_law", "treatment": "legal", "channel": "call", "priority": 5,
                    "legal_status": "active", "buckets": "M3,M4", "path": "0:letter,1:call,4:legal_review",
                    "hours_from": 18, "hours_to": 21})
    first = engine.run(dict(snap, strategy=_strategy(*rows), case_facts=facts), AS_OF)
    segs = _segments(first.tables["case_state"], lambda c: AS_OF - dt.timedelta(days=c % 6))
    inputs = dict(snap, strategy=_strategy(*rows), case_facts=facts, case_segments=segs)
    duck = engine.run(inputs, AS_OF, engine="duckdb")
    spark = engine.run(inputs, AS_OF, engine="spark", spark=spark_session())
    for name in ("case_state", "contact_queue", "assignments"):
        assert duck.tables[name].equals(spark.tables[name]), name
    assert duck.summary["path_actions"] == spark.summary["path_actions"] and duck.summary["path_actions"]


def test_without_the_legal_fact_every_case_counts_as_never_taken_to_law():
    t = ibis.memtable(pa.table({"bucket": ["M1", "M2"]}))
    table = _strategy({"rule_order": 1, "segment": "law", "treatment": "t", "channel": "none", "priority": 0,
                       "legal_status": "active"},
                      {"rule_order": 2, "segment": "never", "treatment": "t", "channel": "call", "priority": 0,
                       "legal_status": "none"})
    got = ibis.duckdb.connect().to_pyarrow(t.mutate(rule=rules.compile_strategy(table, {"bucket": t.bucket})))
    assert got.column("rule").to_pylist() == [2, 2]
