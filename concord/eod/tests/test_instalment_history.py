"""Instalment states as changes: a run writes only the instalments it changed, with a full state at month end (or
when asked), and any day is rebuilt from the last full state and the later changes (``history.instalments_on``) —
equal to a full run of that day, over a chain of days in which each day's snapshot is the day before's result."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from concord.eod import engine, history, schema, synth

DAY1 = dt.date(2026, 11, 26)


def _next_day(snap: dict, state: pa.Table, account_state: pa.Table, day: dt.date, seed: int) -> dict:
    """The snapshot of ``day`` after a run: the instalments as the run left them (``state``, every instalment),
    balances from ``account_state``, yesterday's payments posted, and new unposted payments for a fifth of the
    accounts (some large enough to settle)."""
    snap = dict(snap)
    inst = snap["instalments"].sort_by([("account_id", "ascending"), ("number", "ascending")])
    assert state.column("account_id").equals(inst.column("account_id"))
    for col in ("principal_paid_fen", "interest_paid_fen"):
        inst = inst.set_column(inst.column_names.index(col), col, state.column(col))
    snap["instalments"] = inst
    acc = snap["accounts"].sort_by("account_id")
    for col in ("principal_balance_fen", "interest_balance_fen", "penalty_balance_fen", "fees_balance_fen",
                "credit_balance_fen", "penalty_accrued_fen", "fees_accrued_fen", "status"):
        acc = acc.set_column(acc.column_names.index(col), col, account_state.column(col))
    acc = acc.set_column(acc.column_names.index("prev_bucket"), "prev_bucket", account_state.column("bucket"))
    snap["accounts"] = acc
    pay = snap["payments"]
    pay = pay.set_column(pay.column_names.index("posted"), "posted", pa.array(np.ones(pay.num_rows, bool)))
    rng = np.random.default_rng(seed)
    ids = acc.column("account_id").to_numpy()
    m = len(ids) // 5
    new = pa.table({
        "payment_id": np.arange(m) + pc.max(pay.column("payment_id")).as_py() + 1,
        "account_id": rng.choice(ids, m), "amount_fen": np.where(rng.random(m) < 0.1, 10**8,
                                                                  rng.integers(100, 500_000, m)),
        "paid_on": pa.array([day] * m, pa.date32()), "posted": np.zeros(m, bool),
        "reversed": rng.random(m) < 0.05}, schema=pay.schema)
    snap["payments"] = pa.concat_tables([pay, new])
    return snap


def test_a_day_rebuilt_from_the_last_full_state_and_the_changes_equals_a_full_run(tmp_path):
    snap = synth.snapshot(300, seed=21, as_of=DAY1)
    runs = []
    first = engine.run(snap, DAY1, instalments="full", out=tmp_path / "d0")
    assert first.summary["instalment_state"]["kind"] == "full"
    runs.append(tmp_path / "d0")
    state = history.instalments_on(DAY1, runs)
    account_state = pq.read_table(tmp_path / "d0" / "account_state.parquet").sort_by("account_id")
    day = DAY1
    for n in range(1, 6):  # 27, 28, 29 November: changes; 30 (month end): full; 1 December: changes
        day = day + dt.timedelta(days=1)
        snap = _next_day(snap, state, account_state, day, seed=n)
        changes = engine.run(snap, day, out=tmp_path / f"d{n}")  # auto
        kind = changes.summary["instalment_state"]["kind"]
        assert kind == ("full" if day == dt.date(2026, 11, 30) else "changes")
        runs.append(tmp_path / f"d{n}")
        full = engine.run(snap, day, instalments="full").tables["instalment_state"]
        rebuilt = history.instalments_on(day, runs)
        assert rebuilt.schema == full.schema == schema.OUTPUT_TABLES["instalment_state"]
        assert rebuilt.to_pylist() == full.to_pylist()
        # the changes are the rows that differ from the day's input, and only those
        delta = pq.read_table(tmp_path / f"d{n}" / "instalment_state.parquet")
        assert delta.num_rows == changes.summary["instalment_state"]["rows"]
        if kind == "full":
            assert delta.num_rows == full.num_rows
            state, account_state = rebuilt, pq.read_table(tmp_path / f"d{n}" / "account_state.parquet").sort_by(
                "account_id")
            continue
        assert 0 < delta.num_rows < full.num_rows // 5
        before = {(r["account_id"], r["number"]): (r["principal_paid_fen"], r["interest_paid_fen"])
                  for r in snap["instalments"].to_pylist()}
        moved = {(r["account_id"], r["number"]) for r in full.to_pylist()
                 if before[(r["account_id"], r["number"])] != (r["principal_paid_fen"], r["interest_paid_fen"])}
        assert {(r["account_id"], r["number"]) for r in delta.to_pylist()} == moved
        state = rebuilt
        account_state = pq.read_table(tmp_path / f"d{n}" / "account_state.parquet").sort_by("account_id")
    # a day needs a full state on or before it
    with pytest.raises(ValueError, match="no full instalment state"):
        history.instalments_on(DAY1 - dt.timedelta(days=1), runs)


def test_month_end_writes_the_full_state():
    assert engine.full_instalments_on(dt.date(2026, 11, 30)) and engine.full_instalments_on(dt.date(2026, 12, 31))
    assert not engine.full_instalments_on(dt.date(2026, 11, 28))
    snap = synth.snapshot(60, seed=3, as_of=dt.date(2026, 11, 30))
    month_end = engine.run(snap, dt.date(2026, 11, 30))
    assert month_end.summary["instalment_state"] == {"kind": "full", "rows": snap["instalments"].num_rows}
    with pytest.raises(ValueError, match="instalments must be"):
        engine.run(snap, dt.date(2026, 11, 30), instalments="some")
