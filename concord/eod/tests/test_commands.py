"""``concord synth snapshot`` and ``concord eod run --snapshot`` work without the database."""
from __future__ import annotations

import json
from io import StringIO

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command


def test_synth_then_run(tmp_path):
    out = StringIO()
    call_command("synth", "snapshot", "--accounts", "120", "--seed", "3", "--out", str(tmp_path / "snap"), stdout=out)
    assert "accounts" in out.getvalue()
    out = StringIO()
    call_command("eod", "run", "--as-of", "2026-11-28", "--snapshot", str(tmp_path / "snap"),
                 "--out", str(tmp_path / "out"), stdout=out)
    text = out.getvalue()
    for stage in ("validate", "accounts", "promises", "cases", "allocation", "queue"):
        assert f"  {stage}" in text
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["accounts"] == 120 == pq.read_table(tmp_path / "out" / "account_state.parquet").num_rows
    assert sum(summary["buckets"].values()) == 120


def test_refused_snapshot_is_a_command_error(tmp_path):
    call_command("synth", "snapshot", "--accounts", "20", "--out", str(tmp_path / "snap"), stdout=StringIO())
    (tmp_path / "snap" / "accounts.parquet").unlink()
    with pytest.raises(CommandError, match="accounts: table missing"):
        call_command("eod", "run", "--as-of", "2026-11-28", "--snapshot", str(tmp_path / "snap"),
                     "--out", str(tmp_path / "out"), stdout=StringIO())
    assert not (tmp_path / "out").exists()
