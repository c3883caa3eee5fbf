"""The allocation rules (``eod.allocrules``): the decision of one case, the spread within a team, and the same
rule data compiled to engine expressions giving the same decisions (a differential test on DuckDB)."""
from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from concord.eod import allocrules as ar
from concord.eod.backend import Backend

TODAY = dt.date(2026, 12, 7)


def rule(**kw):
    r = ar.default_rule(kw.pop("code", "R1"))
    r.update(kw)
    return ar.normalise([r])[0]


def facts(case_id, **kw):
    f = {"case_id": case_id, "creditor_id": 1, "product_id": 1, "placement_id": None, "bucket": "M1", "dpd": 10,
         "balance_fen": 100_00, "province": "广东", "city": "深圳", "language": "zh-hans", "score": 500,
         "legal": "none", "team_id": None, "collector_id": None, "assigned_on": None, "last_promise_on": None}
    f.update(kw)
    return f


def test_normalise_names_every_problem():
    with pytest.raises(ar.RuleError) as exc:
        ar.normalise([{"code": "A", "method": "fastest", "dpd_min": 30, "dpd_max": 10},
                      {"code": "A", "team": 99, "method": "skill", "bogus": 1}], teams={1})
    problems = {(n, f, c) for n, f, c in exc.value.problems}
    assert {(1, "method", "unknown_method"), (1, "dpd_max", "empty_range"), (2, "code", "duplicate_code"),
            (2, "team", "unknown_team"), (2, "skill", "skill_needed"), (2, "bogus", "unknown_field")} <= problems


def test_first_matching_rule_decides_and_conditions_combine():
    rules = ar.normalise([
        {"code": "GD", "provinces": "广东", "buckets": ["M2"], "team": 1},
        {"code": "BIG", "balance_min_fen": 50_000_00, "team": 2},
        {"code": "ALL", "team": None},
    ])
    members = {10: 1, 20: 2}
    assert ar.decide(rules, facts(1, bucket="M2"), members, TODAY) == ar.Decision(0, "place", "new")
    assert ar.decide(rules, facts(2, bucket="M1", balance_fen=60_000_00), members, TODAY).rule == 1
    assert ar.decide(rules, facts(3), members, TODAY) == ar.Decision(2, "stay", "in_pool")
    assert ar.decide(rules, facts(4, team_id=1, collector_id=10), members, TODAY) == ar.Decision(2, "pool", "to_pool")


def test_sticky_rotation_and_never_back():
    r = rule(team=1, sticky=True, rotate_days=30, exclude_days=60)
    members = [ar.Member(10, 1, 100), ar.Member(11, 1, 100)]
    kept = facts(1, team_id=1, collector_id=10, assigned_on=TODAY - dt.timedelta(days=5))
    quiet = facts(2, team_id=1, collector_id=10, assigned_on=TODAY - dt.timedelta(days=40))
    promised = facts(3, team_id=1, collector_id=10, assigned_on=TODAY - dt.timedelta(days=40),
                     last_promise_on=TODAY - dt.timedelta(days=3))
    moves, summary = ar.plan([r], [kept, quiet, promised], members, TODAY)
    assert [(m.case_id, m.to_collector, m.reason) for m in moves] == [(2, 11, "rotation")]
    assert summary["moved"] == 1 and summary["unassigned"] == 0
    # a new case whose last holder was 11 twenty days ago goes to 10 even when 11 is emptier
    fresh = facts(4, balance_fen=1)
    moves, _ = ar.plan([r], [fresh, facts(5, team_id=1, collector_id=10)], members, TODAY,
                       {4: [(11, TODAY - dt.timedelta(days=20))]})
    assert [(m.case_id, m.to_collector) for m in moves] == [(4, 10)]


def test_methods_spread_within_capacity():
    cases = [facts(i, balance_fen=b) for i, b in enumerate([900, 800, 700, 100, 100, 100], 1)]
    team = [ar.Member(10, 1, 10), ar.Member(11, 1, 10), ar.Member(12, 1, 2)]
    rr, _ = ar.plan([rule(team=1, method="round_robin")], cases, team, TODAY)
    assert [m.to_collector for m in rr] == [10, 11, 12, 10, 11, 12]
    bal, _ = ar.plan([rule(team=1, method="balance")], cases, team, TODAY)
    held = {}
    for m in bal:
        held[m.to_collector] = held.get(m.to_collector, 0) + m.balance_fen
    assert max(held.values()) - min(held.values()) <= 900
    cap, _ = ar.plan([rule(team=1, method="capacity")], cases * 1, team, TODAY)
    counts = {c: sum(1 for m in cap if m.to_collector == c) for c in (10, 11, 12)}
    assert counts[12] <= 2 and sum(counts.values()) == 6
    full = [ar.Member(10, 1, 1, balance_capacity_fen=1000)]
    moves, summary = ar.plan([rule(team=1, method="balance")], cases, full, TODAY)
    assert sum(1 for m in moves if m.to_collector == 10) == 1
    assert summary["unassigned"] == 5 and {m.reason for m in moves if m.to_collector is None} == {"new:no_capacity"}


def test_skill_rule_sends_cases_to_members_with_the_skill():
    team = [ar.Member(10, 1, 10), ar.Member(11, 1, 10, skills=frozenset({"en", "legal"}))]
    lang = rule(team=1, method="skill", skill="language")
    moves, _ = ar.plan([lang], [facts(1, language="en"), facts(2, language="zh-hans"), facts(3, language="en")],
                       team, TODAY)
    got = {m.case_id: m.to_collector for m in moves}
    assert got[1] == got[3] == 11
    legal = rule(team=1, method="skill", skill="legal")
    moves, _ = ar.plan([legal], [facts(1, legal="active"), facts(2, legal="active")], team, TODAY)
    assert {m.to_collector for m in moves} == {11}


# -- the same rules as engine expressions -------------------------------------------------------------------------
def random_rules(rng: random.Random) -> list[dict]:
    rules = []
    for n in range(rng.randint(1, 8)):
        r = {"code": f"R{n}", "team": rng.choice([None, 1, 2, 3]), "sticky": rng.random() < 0.7,
             "method": rng.choice(ar.METHODS), "exclude_days": rng.choice([0, 30])}
        if r["method"] == "skill":
            r["skill"] = rng.choice(["language", "legal", "field"])
        if rng.random() < 0.4:
            r["rotate_days"] = rng.choice([10, 30, 60])
        if rng.random() < 0.4:
            r["creditors"] = rng.sample([1, 2, 3], rng.randint(1, 2))
        if rng.random() < 0.3:
            r["buckets"] = rng.sample(["M1", "M2", "M3", "M4"], 2)
        if rng.random() < 0.3:
            r["dpd_min"], r["dpd_max"] = sorted(rng.sample(range(0, 200), 2))
        if rng.random() < 0.3:
            r["balance_min_fen"] = rng.choice([0, 1000_00, 5000_00])
        if rng.random() < 0.2:
            r["provinces"] = rng.sample(["广东", "北京", "四川"], 1)
        if rng.random() < 0.2:
            r["cities"] = ["深圳"]
        if rng.random() < 0.2:
            r["languages"] = ["en"]
        if rng.random() < 0.2:
            r["score_min"], r["score_max"] = 300, 600
        if rng.random() < 0.2:
            r["legal"] = [rng.choice(["none", "active"])]
        if rng.random() < 0.2:
            r["products"] = [rng.choice([1, 2])]
        if rng.random() < 0.2:
            r["placements"] = [rng.choice([1, 2])]
        rules.append(r)
    return ar.normalise(rules)


def random_cases(rng: random.Random, n: int) -> list[dict]:
    out = []
    for i in range(1, n + 1):
        team = rng.choice([None, 1, 2, 3])
        col = rng.choice([None, 10, 11, 20, 21, 30, 99]) if team else rng.choice([None, None, 10])
        out.append(facts(
            i, creditor_id=rng.choice([1, 2, 3]), product_id=rng.choice([1, 2, None]),
            placement_id=rng.choice([1, 2, None]), bucket=rng.choice(["M1", "M2", "M3", "M4"]),
            dpd=rng.randint(0, 240), balance_fen=rng.randint(0, 10_000_00), province=rng.choice(["广东", "北京", "四川", ""]),
            city=rng.choice(["深圳", "北京", ""]), language=rng.choice(["zh-hans", "en", ""]),
            score=rng.choice([None, 250, 450, 700]), legal=rng.choice(["none", "active"]), team_id=team,
            collector_id=col, assigned_on=rng.choice([None, TODAY - dt.timedelta(days=rng.randint(0, 90))]),
            last_promise_on=rng.choice([None, TODAY - dt.timedelta(days=rng.randint(0, 90))])))
    return out


MEMBERS = [ar.Member(10, 1, 40), ar.Member(11, 1, 60, 2_000_000_00, frozenset({"en"})),
           ar.Member(20, 2, 50, skills=frozenset({"legal"})), ar.Member(21, 2, 5, skills=frozenset({"field"})),
           ar.Member(30, 3, 80)]


def facts_table(cases: list[dict]) -> pa.Table:
    def days(d):
        return None if d is None else (d - ar.EPOCH).days

    cols = {k: [c[k] for c in cases] for k in ar.FACTS}
    cols["assigned_on"] = [days(d) for d in cols["assigned_on"]]
    cols["last_promise_on"] = [days(d) for d in cols["last_promise_on"]]
    types = {"bucket": pa.string(), "province": pa.string(), "city": pa.string(), "language": pa.string(),
             "legal": pa.string(), "assigned_on": pa.int32(), "last_promise_on": pa.int32()}
    return pa.table({k: pa.array(v, types.get(k, pa.int64())) for k, v in cols.items()})


@pytest.mark.parametrize("seed", range(12))
def test_compiled_rules_decide_as_the_pure_function(seed):
    rng = random.Random(seed)
    rules, cases = random_rules(rng), random_cases(rng, 400)
    be = Backend("duckdb")
    t = be.load("facts", facts_table(cases))
    mt = be.load("members", pa.table({"m_id": pa.array([m.collector_id for m in MEMBERS], pa.int64()),
                                      "member_team": pa.array([m.team_id for m in MEMBERS], pa.int64())}))
    j = t.left_join(mt, t.collector_id == mt.m_id).select(t, mt.member_team)
    rule_no, action, reason = ar.compile_decision(rules, j, TODAY, j.member_team)
    got = be.fetch(j.select("case_id", rule=rule_no, action=action, reason=reason)).to_pylist()
    be.close()
    member_team = {m.collector_id: m.team_id for m in MEMBERS}
    for row in got:
        d = ar.decide(rules, cases[row["case_id"] - 1], member_team, TODAY)
        assert (row["rule"] if row["rule"] >= 0 else None, row["action"], row["reason"]) == (d.rule, d.action,
                                                                                              d.reason), row


# -- the end-of-day engine applies the same rules as the services' plan ------------------------------------------
@pytest.mark.parametrize("seed", [3, 11])
def test_engine_allocation_gives_the_moves_of_the_pure_plan(seed):
    """The engine is handed the rule set itself; its moves equal ``allocrules.plan`` over the same facts."""
    import json

    import pyarrow.compute as pc

    from concord.eod import engine, synth

    as_of = dt.date(2026, 11, 28)
    rng = random.Random(seed)
    snap = synth.snapshot(1500, seed=seed, as_of=as_of)
    cases = snap["cases"].to_pylist()
    teams = [r["team_id"] for r in snap["teams"].to_pylist()]
    cols = snap["collectors"].to_pylist()
    ids = [c["case_id"] for c in cases]
    snap["case_facts"] = pa.table({
        "case_id": pa.array(ids, pa.int64()),
        "product_id": pa.array([rng.choice([None, 1, 2]) for _ in ids], pa.int64()),
        "placement_id": pa.array([rng.choice([None, 1, 2]) for _ in ids], pa.int64()),
        "province": [rng.choice(["广东", "北京", ""]) for _ in ids], "city": [rng.choice(["深圳", ""]) for _ in ids],
        "language": [rng.choice(["zh-hans", "en"]) for _ in ids],
        "legal": [rng.choice(["none", "active"]) for _ in ids]})
    held = [c for c in cases if c["collector_id"] is not None][:200]
    others = [r["collector_id"] for r in cols]
    snap["holders"] = pa.table({
        "case_id": pa.array([c["case_id"] for c in held], pa.int64()),
        "collector_id": pa.array([rng.choice(others) for _ in held], pa.int64()),
        "ended_on": pa.array([as_of - dt.timedelta(days=rng.randint(1, 50)) for _ in held], pa.date32())})
    snap["collector_limits"] = pa.table({"collector_id": pa.array(others[:3], pa.int64()),
                                         "balance_capacity_fen": pa.array([5_000_000_00] * len(others[:3]), pa.int64())})
    raw = []
    for n in range(10):
        r = {"code": f"R{n}", "team": rng.choice(teams + [None]), "method": rng.choice(ar.METHODS),
             "sticky": rng.random() < 0.6, "exclude_days": rng.choice([0, 30]),
             "rotate_days": rng.choice([None, 20, 45]), "buckets": rng.sample(["M1", "M2", "M3", "M4", "M5"], 2)}
        if r["method"] == "skill":
            r["skill"] = rng.choice(["language", "legal", "field"])
        if rng.random() < 0.3:
            r["provinces"] = ["广东"]
        raw.append(r)
    raw.append({"code": "REST", "team": teams[0], "method": "capacity"})
    rules = ar.normalise(raw)
    params = engine.Params(allocation_rules=json.dumps({"version": 4, "rules": rules}))
    out = engine.run(snap, as_of, params=params).tables
    got = {r["case_id"]: r for r in out["assignments"].to_pylist() if r["moved"] and r["reason"] != "closed"}

    state = {r["case_id"]: r for r in out["case_state"].to_pylist()}
    cf = {r["case_id"]: r for r in snap["case_facts"].to_pylist()}
    last = {}
    for p in snap["promises"].to_pylist():
        last[p["case_id"]] = max(last.get(p["case_id"], p["promised_on"]), p["promised_on"])
    active = set(pc.unique(snap["cases"].column("status")).to_pylist()) & {"new", "open", "on_hold"}
    facts = [{"case_id": c["case_id"], "creditor_id": c["creditor_id"], "product_id": cf[c["case_id"]]["product_id"],
              "placement_id": cf[c["case_id"]]["placement_id"], "bucket": state[c["case_id"]]["bucket"],
              "dpd": state[c["case_id"]]["max_dpd"], "balance_fen": state[c["case_id"]]["total_balance_fen"],
              "province": cf[c["case_id"]]["province"], "city": cf[c["case_id"]]["city"],
              "language": cf[c["case_id"]]["language"], "score": state[c["case_id"]]["score"],
              "legal": cf[c["case_id"]]["legal"], "team_id": c["team_id"], "collector_id": c["collector_id"],
              "assigned_on": c["assigned_on"], "last_promise_on": last.get(c["case_id"])}
             for c in cases if c["status"] in active]
    limits = {r["collector_id"]: r["balance_capacity_fen"] for r in snap["collector_limits"].to_pylist()}
    members = [ar.Member(r["collector_id"], r["team_id"], r["capacity"], limits.get(r["collector_id"], 0),
                         frozenset(s for s in (r["skills"] or "").split(",") if s)) for r in cols if r["active"]]
    past = {}
    for h in snap["holders"].to_pylist():
        past.setdefault(h["case_id"], []).append((h["collector_id"], h["ended_on"]))
    moves, summary = ar.plan(rules, facts, members, as_of, past)
    want = {m.case_id: m for m in moves}
    assert summary["moved"] > 50
    assert set(got) == set(want)
    for cid, m in want.items():
        g = got[cid]
        assert (g["team_id"], g["collector_id"], g["reason"]) == (m.to_team, m.to_collector,
                                                                  f"v4:{m.rule}:{m.reason}"), cid


def test_built_in_allocation_moves_a_case_whose_bucket_left_its_collectors_team():
    """Without rules the teams' buckets route cases; a kept case whose collector's team does not work its bucket
    moves (``bucket_change``). The eligibility once read the case's own team after the join and never fired."""
    from concord.eod import engine, synth

    as_of = dt.date(2026, 11, 28)
    snap = synth.snapshot(3000, seed=5, as_of=as_of)
    out = engine.run(snap, as_of).tables
    teams = {r["team_id"]: set(filter(None, (r["buckets"] or "").split(","))) for r in snap["teams"].to_pylist()}
    col_team = {r["collector_id"]: r["team_id"] for r in snap["collectors"].to_pylist()}
    state = {r["case_id"]: r for r in out["case_state"].to_pylist()}
    changed = [r for r in out["assignments"].to_pylist() if r["reason"].startswith("bucket_change")]
    assert changed, "no case changed bucket out of its team"
    # (a case also leaves when its team lacks the skill its strategy asks for: the same reason)
    assert any(state[r["case_id"]]["bucket"] not in teams[col_team[r["prev_collector_id"]]] for r in changed)
    for r in out["assignments"].to_pylist():
        if r["reason"] == "kept":
            worked = teams[col_team[r["collector_id"]]]
            assert not worked or state[r["case_id"]]["bucket"] in worked
