"""The benchmark's hand-written baseline (``benchmarks/eod_baseline.py``) does the engine's account step: the same
``account_state`` rows with the same value in every column, so the benchmark compares equal work."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from concord.eod import engine, synth
from concord.eod.validate import snapshot_files, write_snapshot
from concord.loans.allocation import COMPONENTS

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
import eod_baseline  # noqa: E402

AS_OF = dt.date(2026, 11, 28)
ACCOUNTS = 2000


def varied_snapshot(seed: int, directory: Path) -> Path:
    """A synthetic book with what ``synth`` leaves out (every account is open, no charges or credit yet, one
    waterfall per product, payments today only), so that every rule of the account step is exercised: every
    status, charges and credit on the balances, accrued charges above and below today's, random waterfalls and
    penalty terms, and unposted payments before, on and after the as-of date, reversed, or large enough to settle."""
    tables = synth.snapshot(ACCOUNTS, seed=seed, as_of=AS_OF)
    rng = np.random.default_rng(seed)

    products = tables["products"].to_pydict()
    products.update(
        waterfall=[",".join(rng.permutation(COMPONENTS)) for _ in products["product_id"]],
        compound_on_interest=[bool(b) for b in rng.random(3) < 0.5],
        grace_days=[int(d) for d in rng.integers(0, 10, 3)],
        late_fee_fen=[int(f) for f in rng.integers(0, 10_000, 3)],
        total_cost_cap_rate_e4=[None, *(int(r) for r in rng.integers(300, 3600, 2))])
    tables["products"] = pa.table(products, schema=tables["products"].schema)

    accounts = tables["accounts"].to_pydict()
    n = len(accounts["account_id"])

    def some(high: int) -> list[int]:  # zero for half of the accounts
        return [int(v) for v in np.where(rng.random(n) < 0.5, 0, rng.integers(0, high, n))]

    accounts.update(
        status=list(rng.choice(["open", "settled", "recalled", "written_off"], n, p=[0.6, 0.2, 0.1, 0.1])),
        penalty_balance_fen=some(200_000), fees_balance_fen=some(50_000), credit_balance_fen=some(50_000),
        penalty_accrued_fen=some(150_000), fees_accrued_fen=some(30_000),
        interest_charged_fen=[int(v) for v in np.array(accounts["interest_charged_fen"]) * rng.integers(1, 4, n)])
    tables["accounts"] = pa.table(accounts, schema=tables["accounts"].schema)

    payments = tables["payments"]
    m = n // 5
    payer = rng.choice(accounts["account_id"], m)
    amount = np.where(rng.random(m) < 0.2, 100_000_000, rng.integers(1, 3_000_000, m))
    extra = pa.table({
        "payment_id": np.arange(m) + max(payments.column("payment_id").to_pylist(), default=0) + 1,
        "account_id": payer, "amount_fen": amount,
        "paid_on": [AS_OF + dt.timedelta(days=int(d)) for d in rng.integers(-20, 3, m)],
        "posted": rng.random(m) < 0.2, "reversed": rng.random(m) < 0.1}, schema=payments.schema)
    tables["payments"] = pa.concat_tables([payments, extra])

    write_snapshot(tables, directory)
    return directory


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_baseline_equals_the_engine_account_state(tmp_path, seed):
    snapshot = varied_snapshot(seed, tmp_path / "snapshot")
    expected = engine.run(snapshot, AS_OF).tables["account_state"]  # sorted by account_id
    con = eod_baseline.connect()
    try:
        got = con.sql(eod_baseline.sql(eod_baseline.ACCOUNT_STEP, snapshot_files(snapshot), AS_OF)).to_arrow_table()
    finally:
        con.close()
    got = got.select(expected.column_names).sort_by("account_id")

    assert got.schema == expected.schema
    assert got.column("account_id").equals(expected.column("account_id"))
    for name in expected.column_names:
        ours, theirs = got.column(name).to_pylist(), expected.column(name).to_pylist()
        wrong = [(acc, a, b) for acc, a, b in zip(expected.column("account_id").to_pylist(), ours, theirs) if a != b]
        assert not wrong, f"{name}: {len(wrong)} accounts differ, first (account, baseline, engine): {wrong[:3]}"
