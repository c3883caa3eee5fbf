"""The learned scorecard compiles into the engine's column expressions (``rules.compile_scorecard``, the expert
scorecard's path): on DuckDB it gives the numpy mirror's scores; on Spark the whole run equals DuckDB's."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from concord.eod import engine, rules, scorecards, synth
from concord.eod.backend import Backend
from concord.scoring import training

from .helpers import trained

AS_OF = dt.date(2026, 11, 28)


def _features(n=2000, seed=3) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table({"max_dpd": rng.integers(0, 300, n), "total_balance_fen": rng.integers(0, 10_000_000, n),
                     "paid_90d_fen": rng.integers(0, 300_000, n) * (rng.random(n) < 0.3),
                     "kept_promises": rng.integers(0, 3, n), "broken_promises": rng.integers(0, 3, n),
                     "conversations_30d": rng.integers(0, 4, n)})


def _compiled(be: Backend, data: pa.Table, bins) -> list[int]:
    """The scores of ``data``'s rows by the engine's compiled expression on the backend ``be``, in row order."""
    data = data.append_column("row", pa.array(np.arange(data.num_rows), pa.int64()))
    t = be.load("features", data)
    values = {k: t[k] for k in rules.SCORE_CHARACTERISTICS if k != "base"}
    expr = t.mutate(score=rules.compile_scorecard(scorecards.as_table(bins), values)).order_by("row")
    try:
        return be.fetch(expr).column("score").to_pylist()
    finally:
        be.close()


def test_duckdb_compile_equals_the_python_mirror():
    bins = trained("paid_30d")["bins"]
    data = _features()
    got = _compiled(Backend("duckdb"), data, bins)
    cols = {c: data.column(c).to_numpy() for c in data.column_names}
    assert got == training.score_rows(bins, cols, data.num_rows).tolist()


def test_a_learned_scorecard_changes_the_engine_scores():
    snap = synth.snapshot(300, seed=11, as_of=AS_OF)
    expert = engine.run(snap, AS_OF).tables["case_state"]
    learned = engine.run({**snap, "scorecard": scorecards.as_table(trained("paid_30d")["bins"])}, AS_OF)
    learned = learned.tables["case_state"]
    assert expert.column("case_id") == learned.column("case_id")
    assert expert.column("score").to_pylist() != learned.column("score").to_pylist()


@pytest.mark.spark
def test_duckdb_and_spark_give_equal_learned_scores():
    from concord.eod.backend import spark_session

    spark = spark_session(partitions=2)
    bins = trained("paid_30d")["bins"]
    data = _features(500)
    assert _compiled(Backend("spark", spark=spark), data, bins) == _compiled(Backend("duckdb"), data, bins)
    snap = {**synth.snapshot(300, seed=11, as_of=AS_OF), "scorecard": scorecards.as_table(bins)}
    duck = engine.run(snap, AS_OF, engine="duckdb").tables
    sprk = engine.run(snap, AS_OF, engine="spark", spark=spark).tables
    for name in ("case_state", "assignments", "contact_queue"):
        assert duck[name].to_pylist() == sprk[name].to_pylist(), name
