"""The daily history the reports stand on: date-partitioned Parquet files read with DuckDB. Pure: no Django import.

Layout under the history root (``settings.CONCORD_HISTORY_DIR``, default ``DATA_DIR/history``)::

    accounts/day=2026-11-28/part.parquet     each account as of the end of that day
    payments/day=2026-11-28/part.parquet     the day's facts, one table per kind (FACT_TABLES)
    …
    days/2026-11-28.json                     what the day's files reflect (basis time, source, restatements)

A day is written whole: every table of the day goes to a fresh directory that replaces the old one by a rename,
so a reader sees the old day or the new day, never half of each, and writing the same day again (a rerun, a
restatement) replaces it exactly. Reports read ``read_parquet('<root>/<table>/*/*.parquet', hive_partitioning)``
with a filter on ``day``: DuckDB opens only the partitions of the period asked for.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

I64, I32, STR, BOOL, DATE = pa.int64(), pa.int32(), pa.string(), pa.bool_(), pa.date32()

#: Each account as of the end of the day. Money in integer fen.
ACCOUNTS = pa.schema([
    ("account_id", I64), ("case_id", I64), ("creditor_id", I64), ("product_id", I64), ("placement_id", I64),
    ("placed_on", DATE), ("team_id", I64), ("collector_id", I64), ("status", STR), ("bucket", STR), ("dpd", I32),
    ("balance_fen", I64), ("paid_fen", I64), ("segment", STR), ("score", I32), ("treatment", STR),
])

#: The day's facts, each row an event of that day (in the application's time zone).
FACT_TABLES: dict[str, pa.Schema] = {
    "payments": pa.schema([("payment_id", I64), ("account_id", I64), ("case_id", I64), ("creditor_id", I64),
                           ("amount_fen", I64), ("channel", STR), ("reversed", BOOL)]),
    "contacts": pa.schema([("attempt_id", I64), ("case_id", I64), ("creditor_id", I64), ("collector_id", I64),
                           ("channel", STR), ("direction", STR), ("party", STR), ("outcome", STR),
                           ("hour", I32), ("weekday", I32)]),
    "decisions": pa.schema([("decision_id", I64), ("case_id", I64), ("creditor_id", I64), ("actor_id", I64),
                            ("channel", STR), ("allowed", BOOL), ("rules", STR)]),
    # event: made (the day it was made) or kept / partial / broken (the day it was resolved)
    "promises": pa.schema([("promise_id", I64), ("case_id", I64), ("creditor_id", I64), ("collector_id", I64),
                           ("event", STR), ("amount_fen", I64), ("paid_fen", I64), ("due_date", DATE)]),
    "arrangements": pa.schema([("arrangement_id", I64), ("case_id", I64), ("kind", STR), ("status", STR),
                               ("total_fen", I64)]),
    "complaints": pa.schema([("complaint_id", I64), ("case_id", I64), ("creditor_id", I64), ("kind", STR),
                             ("category", STR), ("severity", STR), ("status", STR)]),
}

TABLES: dict[str, pa.Schema] = {"accounts": ACCOUNTS, **FACT_TABLES}


def empty(name: str) -> pa.Table:
    return TABLES[name].empty_table()


def conform(name: str, table: pa.Table) -> pa.Table:
    """``table`` with exactly the columns of ``name``'s schema, in order and type (a clear error otherwise)."""
    schema = TABLES[name]
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise ValueError(f"history table {name}: missing columns {', '.join(missing)}")
    return pa.Table.from_arrays([table.column(f.name).cast(f.type) for f in schema], schema=schema)


class HistoryStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    # -- writing -------------------------------------------------------------------------------------------------
    def write_day(self, day: dt.date, tables: dict[str, pa.Table], meta: dict) -> None:
        """Replace everything kept for ``day`` with ``tables`` (every table of TABLES; a missing one is written
        empty) and its manifest ``meta``."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"history: unknown tables {', '.join(sorted(unknown))}")
        conformed = {name: conform(name, tables.get(name, empty(name))) for name in TABLES}
        token = uuid.uuid4().hex[:12]
        staged = []
        for name, table in conformed.items():
            final = self.root / name / f"day={day.isoformat()}"
            tmp = self.root / name / f".day={day.isoformat()}.{token}"
            tmp.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, tmp / "part.parquet", compression="zstd")
            staged.append((tmp, final))
        for tmp, final in staged:
            old = final.with_name(f".old-{final.name}.{token}")
            if final.exists():
                os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        manifest = self.root / "days" / f"{day.isoformat()}.json"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest.with_suffix(f".{token}.tmp")
        tmp.write_text(json.dumps({"day": day.isoformat(), **meta}, ensure_ascii=False, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, manifest)

    def clear(self) -> None:
        """Forget every day (a database emptied or seeded again no longer matches its history)."""
        for name in (*TABLES, "days"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------------------------------
    def days(self) -> list[dt.date]:
        folder = self.root / "days"
        if not folder.exists():
            return []
        return sorted(dt.date.fromisoformat(p.stem) for p in folder.glob("*.json"))

    def meta(self, day: dt.date) -> dict | None:
        path = self.root / "days" / f"{day.isoformat()}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def source(self, name: str) -> str:
        """A DuckDB table expression over every day of ``name`` (column ``day`` from the partition's name)."""
        if name not in TABLES:
            raise ValueError(f"history: unknown table {name}")
        pattern = str(self.root / name / "day=*" / "*.parquet").replace("'", "''")
        return f"read_parquet('{pattern}', hive_partitioning = true, hive_types = {{'day': DATE}})"

    def read(self, name: str, day: dt.date) -> pa.Table:
        path = self.root / name / f"day={day.isoformat()}" / "part.parquet"
        return pq.read_table(path) if path.exists() else empty(name)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per table that has any day (``accounts``, ``payments`` …)."""
        con = duckdb.connect()
        for name in TABLES:
            if any((self.root / name).glob("day=*/part.parquet")):
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM {self.source(name)}")
            else:
                cols = ", ".join(f"CAST(NULL AS {_duck(f.type)}) AS {f.name}" for f in TABLES[name])
                con.execute(f"CREATE VIEW {name} AS SELECT {cols}, CAST(NULL AS DATE) AS day WHERE false")
        return con

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def _duck(t: pa.DataType) -> str:
    return {I64: "BIGINT", I32: "INTEGER", STR: "VARCHAR", BOOL: "BOOLEAN", DATE: "DATE"}[t]
