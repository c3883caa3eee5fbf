"""The benchmark's Polars peer of the account stage (``benchmarks/eod_polars.py``) computes the engine's
``account_state``: every row, all 18 columns, on the synthetic books varied to exercise every rule — so the
benchmark compares equal work."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from concord.eod import engine, schema
from concord.eod.validate import snapshot_files

from .test_baseline import AS_OF, varied_snapshot

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
import eod_polars


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_polars_peer_equals_the_engine_account_state(tmp_path, seed):
    snapshot = varied_snapshot(seed, tmp_path / "snapshot")
    expected = engine.run(snapshot, AS_OF).tables["account_state"]  # sorted by account_id
    got = eod_polars.run(snapshot_files(snapshot), AS_OF).sort("account_id").to_arrow()
    assert got.column_names == expected.column_names == schema.OUTPUT_TABLES["account_state"].names
    assert got.num_rows == expected.num_rows
    for name in expected.column_names:
        ours, theirs = got.column(name).to_pylist(), expected.column(name).to_pylist()
        wrong = [(acc, a, b) for acc, a, b in zip(expected.column("account_id").to_pylist(), ours, theirs) if a != b]
        assert not wrong, f"{name}: {len(wrong)} accounts differ, first (account, peer, engine): {wrong[:3]}"
