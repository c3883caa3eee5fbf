"""A bad snapshot is refused before anything runs, naming table, column and the first offending rows."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from concord.eod import engine, synth
from concord.eod.validate import SnapshotError, read_snapshot, validate, write_snapshot

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture
def snap():
    return synth.snapshot(50, seed=5, as_of=AS_OF)


def test_a_good_snapshot_passes_and_round_trips(snap, tmp_path):
    write_snapshot(snap, tmp_path)
    assert validate(read_snapshot(tmp_path), AS_OF)["accounts"].num_rows == 50


def test_missing_table(snap):
    del snap["instalments"]
    with pytest.raises(SnapshotError, match=r"instalments: table missing"):
        engine.run(snap, AS_OF)


def test_missing_and_mistyped_columns(snap):
    snap["accounts"] = snap["accounts"].drop_columns(["prev_bucket"])
    snap["payments"] = snap["payments"].set_column(2, "amount_fen", snap["payments"].column("amount_fen").cast(pa.float64()))
    with pytest.raises(SnapshotError) as err:
        validate(snap, AS_OF)
    text = str(err.value)
    assert "accounts.prev_bucket: column missing" in text
    assert "payments.amount_fen: has type double, expected int64" in text


def test_negative_balance_names_rows(snap):
    col = snap["accounts"].column("principal_balance_fen").to_pylist()
    col[3] = -1
    col[7] = -500
    i = snap["accounts"].column_names.index("principal_balance_fen")
    snap["accounts"] = snap["accounts"].set_column(i, "principal_balance_fen", pa.array(col, pa.int64()))
    with pytest.raises(SnapshotError) as err:
        validate(snap, AS_OF)
    assert err.value.problems[0][:2] == ("accounts", "principal_balance_fen")
    assert "(account_id=4, principal_balance_fen=-1) (account_id=8, principal_balance_fen=-500)" in str(err.value)


def test_due_date_before_contract_start(snap):
    dues = snap["instalments"].column("due_date").to_pylist()
    dues[0] = dt.date(1999, 1, 1)
    i = snap["instalments"].column_names.index("due_date")
    snap["instalments"] = snap["instalments"].set_column(i, "due_date", pa.array(dues, pa.date32()))
    with pytest.raises(SnapshotError, match=r"instalments\.due_date: before the contract start .*due_date=1999-01-01"):
        validate(snap, AS_OF)


def test_unknown_bucket_and_waterfall(snap):
    i = snap["products"].column_names.index("waterfall")
    snap["products"] = snap["products"].set_column(i, "waterfall", pa.array(["fees,penalty", "principal,interest,penalty,fees",
                                                                              "fees,fees,interest,principal"]))
    with pytest.raises(SnapshotError) as err:
        validate(snap, AS_OF)
    assert "products.waterfall: must be a permutation" in str(err.value)
    assert "(product_id=1, waterfall=fees,penalty) (product_id=3" in str(err.value)


def test_engine_imports_no_django():
    import subprocess
    import sys

    code = ("import sys, concord.eod.engine, concord.eod.synth, concord.eod.validate, concord.eod.rules; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
