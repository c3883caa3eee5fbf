"""Champion/challenger arms in the engine itself, on DuckDB and Spark alike: a challenger's rows (numbered from
``arm * ARM_OFFSET``) apply to its arm's cases only, before the champion's; the other cases keep the champion's."""
from __future__ import annotations

import datetime as dt

import pytest

from concord.eod import engine, rules, strategies, synth
from concord.eod.backend import spark_session
from concord.strategy import arms

AS_OF = dt.date(2026, 11, 28)


def _inputs():
    snap = synth.snapshot(300, seed=11, as_of=AS_OF)
    champion = [list(r.values()) for r in rules.default_strategy().to_pylist()]
    challenger = [[r[0] + rules.ARM_OFFSET, r[1], "letter_first", "letter", *r[4:]] for r in champion]
    case_ids = snap["cases"].column("case_id").to_pylist()
    pairs = [(c, arms.arm_of(5, c, [50, 50])) for c in case_ids]
    return snap, champion, challenger, pairs


def _treatments(result):
    return dict(zip(result.tables["case_state"].column("case_id").to_pylist(),
                    result.tables["case_state"].column("treatment").to_pylist()))


def test_a_challenger_applies_to_its_arm_only():
    snap, champion, challenger, pairs = _inputs()
    base = _treatments(engine.run(snap, AS_OF, engine="duckdb"))
    split = dict(snap, strategy=strategies.as_table(champion + challenger),
                 strategy_arms=strategies.arms_table([p for p in pairs if p[1] > 0]))
    got = _treatments(engine.run(split, AS_OF, engine="duckdb"))
    arm = dict(pairs)
    assert {arm[c] for c in got} == {0, 1}
    for case_id, treatment in got.items():
        assert treatment == ("letter_first" if arm[case_id] == 1 else base[case_id]), case_id


@pytest.mark.spark
def test_duckdb_and_spark_agree_with_arms():
    snap, champion, challenger, pairs = _inputs()
    split = dict(snap, strategy=strategies.as_table(champion + challenger),
                 strategy_arms=strategies.arms_table([p for p in pairs if p[1] > 0]))
    duck = engine.run(split, AS_OF, engine="duckdb")
    sprk = engine.run(split, AS_OF, engine="spark", spark=spark_session(partitions=2))
    for name, table in duck.tables.items():
        assert table.to_pylist() == sprk.tables[name].to_pylist(), name
