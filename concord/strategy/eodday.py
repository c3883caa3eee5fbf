"""The end-of-day run's case stage for the simulator: score and strategy rule of every open case, once per simulated
day, columnar. Pure: no Django.

It compiles the engine's own expressions — ``eod.engine.bucket_of``, ``eod.rules.compile_scorecard`` and
``eod.rules.compile_strategy`` over the shipped scorecard and strategy table (or those given) — to one DuckDB
statement, once, and runs it each day over the day's case columns (registered zero-copy from Arrow). The rest of
the nightly run (accrual, allocation, the contact queue) is not run here: the simulator's balances do not accrue,
its collectors are a pool, and its contacts are planned by the strategy under test and decided by the gate.
"""
from __future__ import annotations

import duckdb
import ibis
import numpy as np
import pyarrow as pa

from concord.eod import rules
from concord.eod.engine import bucket_of

INPUT = ibis.schema({
    "idx": "int64", "max_dpd": "int64", "total_balance_fen": "int64", "paid_90d_fen": "int64",
    "kept_promises": "int64", "broken_promises": "int64", "conversations_30d": "int64", "product_kind": "string",
    "promise_state": "string", "held": "boolean", "arrangement": "boolean"})
TABLE = "sim_cases"


class DailyEod:
    """``run(columns)`` → ``{"score", "rule_order", "priority", "channel", "segment"}`` arrays in input order."""

    def __init__(self, scorecard: pa.Table | None = None, strategy: pa.Table | None = None):
        self.scorecard = rules.default_scorecard() if scorecard is None else scorecard
        self.strategy = rules.default_strategy() if strategy is None else strategy
        t = ibis.table(INPUT, name=TABLE)
        x = t.mutate(bucket=bucket_of(t.max_dpd))
        values = {k: x[k] for k in rules.SCORE_CHARACTERISTICS if k != "base"}
        x = x.mutate(score=rules.compile_scorecard(self.scorecard, values))
        x = x.mutate(rule_order=rules.compile_strategy(self.strategy, {
            "bucket": x.bucket, "total_balance_fen": x.total_balance_fen, "score": x.score,
            "product_kind": x.product_kind, "promise_state": x.promise_state, "held": x.held,
            "arrangement": x.arrangement}))
        self.sql = ibis.to_sql(x.select("idx", "score", "rule_order").order_by("idx"), dialect="duckdb")
        self.rows = {r["rule_order"]: r for r in self.strategy.to_pylist()}
        self.con = duckdb.connect(config={"threads": 1})

    def rule(self, order: int) -> dict:
        return self.rows.get(order, {"segment": "unmatched", "treatment": "none", "channel": "none", "priority": 0})

    def run(self, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        table = pa.table({name: pa.array(columns[name], type=INPUT[name].to_pyarrow()) for name in INPUT.names})
        self.con.register(TABLE, table)
        try:
            out = self.con.sql(self.sql).to_arrow_table()
        finally:
            self.con.unregister(TABLE)
        if isinstance(out, pa.RecordBatchReader):
            out = out.read_all()
        order = out.column("rule_order").to_numpy()
        lookup = {o: self.rule(o) for o in set(order.tolist())}
        return {
            "idx": out.column("idx").to_numpy(),
            "score": out.column("score").to_numpy(),
            "rule_order": order,
            "channel": np.array([lookup[o]["channel"] for o in order.tolist()], dtype=object),
            "segment": np.array([lookup[o]["segment"] for o in order.tolist()], dtype=object),
            "priority": np.array([lookup[o]["priority"] for o in order.tolist()], dtype=np.int64),
        }
