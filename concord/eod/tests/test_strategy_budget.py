"""The live strategy's contact budget in the queue: a person gets no more contacts than the lowest of their packs'
budget and the strategy's (its daily maximum; its window maximum less every contact of the window), on DuckDB and,
equally, on Spark; without a budget the run is the run without one."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pyarrow as pa
import pytest

from concord.eod import engine, synth

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


@pytest.mark.spark
def test_duckdb_and_spark_agree_under_a_strategy_budget(snap):
    from concord.eod.backend import spark_session

    params = engine.Params(strategy_budget=(2, 3, 3))
    duck = engine.run(snap, AS_OF, params=params)
    sprk = engine.run(snap, AS_OF, engine="spark", spark=spark_session(partitions=2), params=params)
    assert sprk.tables["contact_queue"].equals(duck.tables["contact_queue"])
    assert duck.tables["contact_queue"].num_rows < engine.run(snap, AS_OF).tables["contact_queue"].num_rows
