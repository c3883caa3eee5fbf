"""The Parquet path: a snapshot directory (chunked datasets) read by DuckDB itself and the results written with
COPY give the same rows, types and summary as the in-memory Arrow path."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from concord.eod import engine, schema, synth
from concord.eod.validate import SnapshotError, snapshot_files

AS_OF = dt.date(2026, 11, 28)


def _nullable(sch: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in sch])


def test_chunked_snapshot_directory_gives_the_arrow_results(tmp_path, monkeypatch):
    monkeypatch.setattr(synth, "CHUNK_ACCOUNTS", 150)
    rows = synth.write_snapshot(400, tmp_path / "snap", seed=4, as_of=AS_OF)
    assert rows["accounts"] == 400
    assert (tmp_path / "snap" / "instalments").is_dir() and (tmp_path / "snap" / "products.parquet").is_file()
    assert len(list((tmp_path / "snap" / "accounts").glob("*.parquet"))) == 3  # 150 + 150 + 100

    in_memory = engine.run(synth.snapshot(400, seed=4, as_of=AS_OF), AS_OF)
    on_files = engine.run(tmp_path / "snap", AS_OF, out=tmp_path / "out")
    assert on_files.tables == {}
    assert set(on_files.files) == set(schema.OUTPUT_TABLES)
    for name, table in in_memory.tables.items():
        written = pq.read_table(on_files.files[name])
        assert _nullable(written.schema) == schema.OUTPUT_TABLES[name], name
        assert written.num_rows == table.num_rows, name
        written = written.sort_by([(k, "ascending") for k in schema.OUTPUT_ORDER[name]])  # files: any order
        assert written.to_pylist() == table.to_pylist(), name
    assert in_memory.tables["contact_queue"].num_rows > 0
    strip = {"engine", "seconds"}
    assert {k: v for k, v in in_memory.summary.items() if k not in strip} == \
        {k: v for k, v in on_files.summary.items() if k not in strip}
    assert (tmp_path / "out" / "summary.json").exists()


def test_a_bad_file_is_refused_before_anything_is_written(tmp_path):
    synth.write_snapshot(60, tmp_path / "snap", seed=2, as_of=AS_OF)
    accounts = pq.read_table(tmp_path / "snap" / "accounts.parquet")
    i = accounts.column_names.index("case_id")
    col = accounts.column("case_id").to_pylist()
    col[5] = 10_000_000
    pq.write_table(accounts.set_column(i, "case_id", pa.array(col, pa.int64())), tmp_path / "snap" / "accounts.parquet")
    with pytest.raises(SnapshotError, match=r"accounts\.case_id: refers to no row of cases: \(account_id=6, "
                                            r"case_id=10000000\)"):
        engine.run(tmp_path / "snap", AS_OF, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert set(snapshot_files(tmp_path / "snap")) >= {"accounts", "instalments"}


def test_duplicate_instalment_numbers_are_found(tmp_path):
    snap = synth.snapshot(40, seed=9, as_of=AS_OF)
    inst = snap["instalments"]
    first = inst.slice(0, 1)
    snap["instalments"] = pa.concat_tables([inst, first])  # the same (account, number) twice
    # and one number beyond the 0…63 of the fast check, duplicated too
    far = first.set_column(1, "number", pa.array([500], pa.int32()))
    snap["instalments"] = pa.concat_tables([snap["instalments"], far, far])
    with pytest.raises(SnapshotError) as err:
        engine.run(snap, AS_OF)
    text = str(err.value)
    acc = first.column("account_id")[0].as_py()
    assert f"instalments.account_id,number: duplicate key: (account_id={acc}, number=1) (account_id={acc}, number=500)" \
        in text
