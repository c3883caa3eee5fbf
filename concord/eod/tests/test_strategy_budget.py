"""The live strategy's contact budget in the queue: a person gets no more contacts than the lowest of their packs'
budget and the strategy's (its daily maximum; its window maximum less every contact of the window), on DuckDB and,
equally, on Spark; without a budget the run is the run without one. In a champion/challenger experiment each arm's
budget binds the people of that arm, and a person whose active cases fall in several arms gets the strictest."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pyarrow as pa
import pytest

from concord.eod import engine, strategies, synth
from concord.loans.summary import ACTIVE_CASE_STATUSES

AS_OF = dt.date(2026, 11, 28)
QUEUE_DAY = AS_OF + dt.timedelta(days=1)


def _snap(seed=11):
    snap = synth.snapshot(400, seed=seed, as_of=AS_OF)
    persons = snap["persons"].column("person_id").to_pylist()
    # recent contacts for some people (every channel and outcome counts against the strategy's window)
    burst = persons[-60:]
    days = [(p, AS_OF - dt.timedelta(days=d)) for i, p in enumerate(burst) for d in range(i % 5)]
    extra = pa.table({"person_id": pa.array([p for p, _ in days], pa.int64()),
                      "contact_on": pa.array([d for _, d in days], pa.date32()),
                      "channel": ["sms"] * len(days), "outcome": ["delivered"] * len(days)})
    snap["contacts"] = pa.concat_tables([snap["contacts"], extra])
    return snap


@pytest.fixture(scope="module")
def snap():
    return _snap()


@pytest.fixture(scope="module")
def base(snap):
    return engine.run(snap, AS_OF)


def test_no_budget_is_the_run_without_one(snap, base):
    same = engine.run(snap, AS_OF, params=engine.Params(strategy_budget=(None, None, None)))
    for name, table in base.tables.items():
        assert same.tables[name].equals(table), name


def test_daily_budget_lowers_the_packs_budget(snap, base):
    queue = base.tables["contact_queue"].to_pylist()
    counts = Counter(q["person_id"] for q in queue)
    assert max(counts.values()) >= 2, "the book should queue some person more than once"
    limited = engine.run(snap, AS_OF, params=engine.Params(strategy_budget=(1, None, None)))
    got = limited.tables["contact_queue"].to_pylist()
    got_counts = Counter(q["person_id"] for q in got)
    assert got_counts == Counter({p: min(n, 1) for p, n in counts.items()})
    # the contacts kept are the person's first ones in the queue's own order, and nothing else changed
    base_cases = {q["case_id"] for q in queue}
    assert {q["case_id"] for q in got} <= base_cases
    for name in ("case_state", "assignments", "account_state"):
        assert limited.tables[name].equals(base.tables[name]), name


def test_window_budget_counts_the_contacts_in_its_window(snap, base):
    counts = Counter(q["person_id"] for q in base.tables["contact_queue"].to_pylist())
    start = QUEUE_DAY - dt.timedelta(days=3)
    used = Counter(c["person_id"] for c in snap["contacts"].to_pylist() if start <= c["contact_on"] < QUEUE_DAY)
    limited = engine.run(snap, AS_OF, params=engine.Params(strategy_budget=(None, 3, 3)))
    got = Counter(q["person_id"] for q in limited.tables["contact_queue"].to_pylist())
    expected = Counter({p: min(n, max(3 - used[p], 0)) for p, n in counts.items()})
    assert +expected == got
    assert any(used[p] >= 3 for p in counts), "some queued person should have used the whole window"
    assert sum(got.values()) < sum(counts.values())


def test_a_budget_above_the_packs_changes_nothing(snap, base):
    wide = engine.run(snap, AS_OF, params=engine.Params(strategy_budget=(50, 90, 500)))
    assert wide.tables["contact_queue"].equals(base.tables["contact_queue"])


def _split(snap):
    """Arms by person: a third of the people wholly in challenger 1, a third wholly in challenger 2, the rest in the
    champion's arm except the second case of every fifth of them, in challenger 1 (people in two arms)."""
    pairs, seen = [], Counter()
    for case_id, person_id in zip(snap["cases"].column("case_id").to_pylist(),
                                  snap["cases"].column("person_id").to_pylist()):
        seen[person_id] += 1
        if person_id % 3 in (1, 2):
            pairs.append((case_id, person_id % 3))
        elif person_id % 5 == 0 and seen[person_id] == 2:
            pairs.append((case_id, 1))
    return dict(snap, strategy_arms=strategies.arms_table(pairs)), dict(pairs)


def _person_arms(snap, arm):
    """The arms of each person's active cases."""
    out: dict[int, set] = {}
    for c in snap["cases"].to_pylist():
        if c["status"] in ACTIVE_CASE_STATUSES:
            out.setdefault(c["person_id"], set()).add(arm.get(c["case_id"], 0))
    return out


def _per_person(result):
    return Counter(q["person_id"] for q in result.tables["contact_queue"].to_pylist())


def test_a_challengers_budget_limits_its_arms_people_only(snap):
    split, arm = _split(snap)
    free = _per_person(engine.run(split, AS_OF))
    limited = _per_person(engine.run(split, AS_OF, params=engine.Params(challenger_budgets=((1, 1, None, None),))))
    arms_of = _person_arms(snap, arm)
    assert limited == +Counter({p: min(n, 1) if 1 in arms_of[p] else n for p, n in free.items()})
    assert any(n > 1 and arms_of[p] == {0} for p, n in limited.items()), "the champion's people keep their queue"
    assert any(n > 1 and arms_of[p] == {2} for p, n in limited.items()), "challenger 2 sets no budget: no limit"
    assert any(free[p] > 1 and arms_of[p] == {1} for p in free), "some challenger-1 person is limited"


def test_a_person_in_several_arms_gets_the_strictest_budget(snap):
    split, arm = _split(snap)
    free = _per_person(engine.run(split, AS_OF))
    arms_of = _person_arms(snap, arm)
    # the champion's budget tighter than the challenger's, then looser: either way the strictest binds
    for champion, challenger in ((1, 3), (3, 1)):
        params = engine.Params(strategy_budget=(champion, None, None), challenger_budgets=((1, challenger, None, None),))
        got = _per_person(engine.run(split, AS_OF, params=params))
        limit = {0: champion, 1: challenger, 2: 1 << 40}
        assert got == +Counter({p: min(n, *(limit[a] for a in arms_of[p])) for p, n in free.items()})
        mixed = [p for p in free if arms_of[p] == {0, 1} and free[p] > 1]
        assert mixed and all(got[p] == min(free[p], 1) for p in mixed)


def test_a_challengers_window_counts_its_own_window(snap):
    split, arm = _split(snap)
    free = _per_person(engine.run(split, AS_OF))
    arms_of = _person_arms(snap, arm)
    used = {w: Counter(c["person_id"] for c in snap["contacts"].to_pylist()
                       if QUEUE_DAY - dt.timedelta(days=w) <= c["contact_on"] < QUEUE_DAY) for w in (2, 4)}
    params = engine.Params(strategy_budget=(None, 4, 3), challenger_budgets=((2, None, 2, 2),))
    got = _per_person(engine.run(split, AS_OF, params=params))
    limit = {0: lambda p: max(3 - used[4][p], 0), 1: lambda p: 1 << 40, 2: lambda p: max(2 - used[2][p], 0)}
    assert got == +Counter({p: min(n, *(limit[a](p) for a in arms_of[p])) for p, n in free.items()})
    assert sum(got.values()) < sum(free.values())


def test_challenger_budgets_without_arms_change_nothing(snap, base):
    same = engine.run(snap, AS_OF, params=engine.Params(challenger_budgets=((1, 0, None, None), (2, None, 3, 0))))
    assert same.tables["contact_queue"].equals(base.tables["contact_queue"])


@pytest.mark.spark
def test_duckdb_and_spark_agree_with_a_budget_per_arm(snap):
    from concord.eod.backend import spark_session

    split, _ = _split(snap)
    params = engine.Params(strategy_budget=(2, 3, 3), challenger_budgets=((1, 1, 2, 1), (2, None, 4, 2)))
    duck = engine.run(split, AS_OF, params=params)
    sprk = engine.run(split, AS_OF, engine="spark", spark=spark_session(partitions=2), params=params)
    assert sprk.tables["contact_queue"].equals(duck.tables["contact_queue"])
    assert duck.tables["contact_queue"].num_rows < engine.run(split, AS_OF).tables["contact_queue"].num_rows


@pytest.mark.spark
def test_duckdb_and_spark_agree_under_a_strategy_budget(snap):
    from concord.eod.backend import spark_session

    params = engine.Params(strategy_budget=(2, 3, 3))
    duck = engine.run(snap, AS_OF, params=params)
    sprk = engine.run(snap, AS_OF, engine="spark", spark=spark_session(partitions=2), params=params)
    assert sprk.tables["contact_queue"].equals(duck.tables["contact_queue"])
    assert duck.tables["contact_queue"].num_rows < engine.run(snap, AS_OF).tables["contact_queue"].num_rows
