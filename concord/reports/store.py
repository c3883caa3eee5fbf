"""The daily history the reports stand on: date-partitioned Parquet files read with DuckDB. Pure: no Django import.

Layout under the history root (``settings.CONCORD_HISTORY_DIR``, default ``DATA_DIR/history``)::

    accounts/day=2026-11-28/part.parquet     each account as of the end of that day (the open month)
    accounts/month=2026-10/part.parquet      a closed month, compacted: its days' rows sorted by account and day
    payments/day=…, payments/month=…         the day's facts, one table per kind (FACT_TABLES)
    days/2026-11-28.json                     what the day's files reflect (basis time, source, restatements)
    month_ends/month=2026-10/part.parquet    a compacted month's last day of accounts, on its own (roll rates)

Every file holds its rows' ``day`` column. A day is written whole: every table of the day goes to a fresh file that
replaces the old one by a rename, so a reader sees the old day or the new day, and writing the same day again (a
rerun, a restatement) replaces it exactly — in a compacted month, the month's file is rewritten with that day's rows
replaced. ``compact(month)`` turns a closed month's daily files into one file per table sorted by account and day:
an account's attributes repeat from day to day and compress to almost nothing (about 1.4 bytes an account-day
against 15 for daily files; benchmarks/reports.py). Reports read ``read_parquet('<root>/<table>/*/*.parquet')``
with a filter on ``day``: DuckDB skips the row groups (and files) outside the period by their statistics.

A compacted month's rows are sorted by account, so reading one of its days reads the whole month: the roll rates,
which read only month ends, read instead ``month_end_accounts`` — each compacted month's last day of accounts, copied
out when the month is compacted and again whenever one of its days is rewritten (in the same rename as the month's
file), so it is always exactly that day's rows of ``accounts``.
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


def conform(name: str, table: pa.Table, day: dt.date | None = None) -> pa.Table:
    """``table`` with exactly the columns of ``name``'s schema, in order and type (a clear error otherwise), and
    with ``day`` (the column ``day`` set to it) when given."""
    schema = TABLES[name]
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise ValueError(f"history table {name}: missing columns {', '.join(missing)}")
    arrays = [table.column(f.name).cast(f.type) for f in schema]
    if day is None:
        return pa.Table.from_arrays(arrays, schema=schema)
    return pa.Table.from_arrays([pa.array([day] * table.num_rows, DATE), *arrays], schema=stored(name))


def stored(name: str) -> pa.Schema:
    """The schema of the files: the day, then the table's columns."""
    return pa.schema([("day", DATE), *TABLES[name]])


#: Where each compacted month's last day of accounts is kept (``month_end_accounts``).
SNAPSHOT = "month_ends"

#: The order of a compacted month's rows (an account's days next to each other).
SORT = {"accounts": "account_id, day"}


def _month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


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
        conformed = {name: conform(name, tables.get(name, empty(name)), day) for name in TABLES}
        token = uuid.uuid4().hex[:12]
        staged = []
        for name, table in conformed.items():
            monthly = self.root / name / f"month={_month(day)}" / "part.parquet"
            if monthly.exists():  # a compacted month: rewrite it with this day's rows replaced
                final = monthly
                tmp = monthly.with_name(f".part.{token}.parquet")
                con = duckdb.connect()
                try:
                    con.register("new_day", table)
                    order = SORT.get(name, "day")
                    con.execute(f"COPY (SELECT * FROM (SELECT * FROM read_parquet({_q(monthly)}, "
                                f"hive_partitioning = false) WHERE day <> ? UNION ALL SELECT * FROM new_day) ORDER BY {order}) TO {_q(tmp)} "
                                f"(FORMAT parquet, COMPRESSION zstd)", [day])
                finally:
                    con.close()
                if name == "accounts":
                    staged.append(self._month_end(tmp, _month(day), token))
            else:
                final = self.root / name / f"day={day.isoformat()}" / "part.parquet"
                final.parent.mkdir(parents=True, exist_ok=True)
                tmp = final.with_name(f".part.{token}.parquet")
                pq.write_table(table, tmp, compression="zstd")
            staged.append((tmp, final))
        for tmp, final in staged:
            os.replace(tmp, final)
        self._manifest(day, {"day": day.isoformat(), **meta}, token)

    def _manifest(self, day: dt.date, meta: dict, token: str) -> None:
        manifest = self.root / "days" / f"{day.isoformat()}.json"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest.with_suffix(f".{token}.tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, manifest)

    def compact(self, month: str) -> bool:
        """Turn the daily files of ``month`` (YYYY-MM) into one file per table, sorted (accounts by account and
        day). Returns False when the month has no daily files."""
        found = False
        for name in TABLES:
            daily = sorted((self.root / name).glob(f"day={month}-*/part.parquet"))
            if not daily:
                continue
            found = True
            final = self.root / name / f"month={month}" / "part.parquet"
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f".part.{uuid.uuid4().hex[:12]}.parquet")
            sources = [str(p) for p in daily] + ([str(final)] if final.exists() else [])
            con = duckdb.connect()
            try:
                con.execute("SET preserve_insertion_order = false")
                con.execute(f"COPY (SELECT * FROM read_parquet(?, hive_partitioning = false) "
                            f"ORDER BY {SORT.get(name, 'day')}) TO {_q(tmp)} "
                            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)", [sources])
            finally:
                con.close()
            if name == "accounts":
                os.replace(*self._month_end(tmp, month, uuid.uuid4().hex[:12]))
            os.replace(tmp, final)
            for path in daily:
                shutil.rmtree(path.parent, ignore_errors=True)
        return found

    def _month_end(self, accounts_file: Path, month: str, token: str) -> tuple[Path, Path]:
        """Write the last day of ``accounts_file`` (a month of accounts) to a staged file; returns (staged, final)
        for the caller to rename with the month's file."""
        final = self.root / SNAPSHOT / f"month={month}" / "part.parquet"
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".part.{token}.parquet")
        con = duckdb.connect()
        try:
            src = f"read_parquet({_q(accounts_file)}, hive_partitioning = false)"
            con.execute(f"COPY (SELECT * FROM {src} WHERE day = (SELECT max(day) FROM {src}) ORDER BY account_id) "
                        f"TO {_q(tmp)} (FORMAT parquet, COMPRESSION zstd)")
        finally:
            con.close()
        return tmp, final

    def compact_before(self, day: dt.date) -> list[str]:
        """Compact every month that ended before ``day``'s month and still has daily files."""
        months = sorted({p.parent.name[4:11] for p in (self.root / "accounts").glob("day=*/part.parquet")}
                        if (self.root / "accounts").exists() else set())
        done = [m for m in months if m < _month(day) and self.compact(m)]
        self.snapshot_month_ends()
        return done

    def snapshot_month_ends(self) -> list[str]:
        """Copy out the last day of each compacted month that has no month-end snapshot yet (months compacted before
        the snapshots existed). Returns the months written."""
        written = []
        for monthly in sorted((self.root / "accounts").glob("month=*/part.parquet")):
            month = monthly.parent.name[6:]
            if not (self.root / SNAPSHOT / f"month={month}" / "part.parquet").exists():
                os.replace(*self._month_end(monthly, month, uuid.uuid4().hex[:12]))
                written.append(month)
        return written

    def clear(self) -> None:
        """Forget every day (a database emptied or seeded again no longer matches its history)."""
        for name in (*TABLES, SNAPSHOT, "days"):
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
        """A DuckDB table expression over every day of ``name`` (daily and compacted files)."""
        if name not in TABLES:
            raise ValueError(f"history: unknown table {name}")
        pattern = str(self.root / name / "*" / "part.parquet").replace("'", "''")
        return f"read_parquet('{pattern}', hive_partitioning = false)"

    def read(self, name: str, day: dt.date) -> pa.Table:
        """The rows of ``name`` for ``day`` (without the day column), in key order."""
        path = self.root / name / f"day={day.isoformat()}" / "part.parquet"
        monthly = self.root / name / f"month={_month(day)}" / "part.parquet"
        if path.exists():
            table = pq.read_table(path)
        elif monthly.exists():
            table = pq.read_table(monthly, filters=[("day", "=", day)])
        else:
            return empty(name)
        table = conform(name, table.drop_columns(["day"]))
        return table.sort_by(TABLES[name][0].name)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per table that has any day (``accounts``, ``payments`` …)."""
        con = duckdb.connect()
        for name in TABLES:
            if any((self.root / name).glob("*/part.parquet")):
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM {self.source(name)}")
            else:
                cols = ", ".join(f"CAST(NULL AS {_duck(f.type)}) AS {f.name}" for f in TABLES[name])
                con.execute(f"CREATE VIEW {name} AS SELECT {cols}, CAST(NULL AS DATE) AS day WHERE false")
        if any((self.root / SNAPSHOT).glob("*/part.parquet")):
            pattern = str(self.root / SNAPSHOT / "*" / "part.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW month_end_accounts AS SELECT * FROM read_parquet('{pattern}', "
                        f"hive_partitioning = false)")
        else:
            con.execute("CREATE VIEW month_end_accounts AS SELECT * FROM accounts WHERE false")
        return con

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def _duck(t: pa.DataType) -> str:
    return {I64: "BIGINT", I32: "INTEGER", STR: "VARCHAR", BOOL: "BOOLEAN", DATE: "DATE"}[t]
