"""DuckDB and PySpark (local mode) give identical outputs on the same snapshot: every table, every row — the
instalment states as the run's changes and in full."""
from __future__ import annotations

import datetime as dt

import pytest

from concord.eod import engine, synth
from concord.eod.backend import spark_session

pytestmark = pytest.mark.spark

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(scope="session")
def spark():
    return spark_session(partitions=2)  # one SparkSession for the whole test session


def test_duckdb_and_spark_agree(spark):
    snap = synth.snapshot(300, seed=11, as_of=AS_OF)
    duck = engine.run(snap, AS_OF, engine="duckdb")
    sprk = engine.run(snap, AS_OF, engine="spark", spark=spark)
    assert duck.tables.keys() == sprk.tables.keys()
    for name, table in duck.tables.items():
        other = sprk.tables[name]
        assert table.schema == other.schema, name
        assert table.num_rows == other.num_rows, name
        assert table.to_pylist() == other.to_pylist(), name
    assert duck.tables["account_state"].num_rows == 300
    assert duck.tables["contact_queue"].num_rows > 0
    assert 0 < duck.tables["instalment_state"].num_rows < snap["instalments"].num_rows // 10  # the changes only
    assert {k: v for k, v in duck.summary.items() if k not in ("engine", "seconds")} == \
        {k: v for k, v in sprk.summary.items() if k not in ("engine", "seconds")}


def test_duckdb_and_spark_agree_on_the_full_instalment_state(spark):
    snap = synth.snapshot(300, seed=11, as_of=AS_OF)
    duck = engine.run(snap, AS_OF, engine="duckdb", instalments="full").tables["instalment_state"]
    sprk = engine.run(snap, AS_OF, engine="spark", spark=spark, instalments="full").tables["instalment_state"]
    assert duck.schema == sprk.schema and duck.num_rows == snap["instalments"].num_rows
    assert duck.to_pylist() == sprk.to_pylist()
