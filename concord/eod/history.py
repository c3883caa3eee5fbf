"""Any day's instalment states, rebuilt from the run outputs. Pure: no Django import.

A run writes in ``instalment_state`` either every instalment (``full``: at month end, or when asked) or only the
instalments it changed (``changes``: those that took a part of today's payments — about 1 % of the rows on a
day). The instalments after the run of day N are the last full state on or before N with the changes of each
later run up to N applied in date order: a changed row replaces the row of the same ``(account_id, number)``.
Each run's ``summary.json`` says which kind it wrote (``instalment_state.kind``) and for which date (``as_of``).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow as pa

from . import schema

KEY = schema.OUTPUT_ORDER["instalment_state"]


def apply_changes(full, *changes, out: str | Path | None = None) -> pa.Table | None:
    """``full`` (an instalment state of every instalment) with each of ``changes`` applied in order. Each argument
    is an Arrow table or a Parquet file. Returns the result sorted by key, or writes it to the Parquet file
    ``out`` (rows in no particular order) and returns None."""
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        parts = []
        for rank, source in enumerate((full, *changes)):
            if isinstance(source, pa.Table):
                con.register(f"part_{rank}", source)
                rel = f"part_{rank}"
            else:
                rel = "read_parquet('" + str(source).replace("'", "''") + "')"
            cols = ", ".join(schema.OUTPUT_TABLES["instalment_state"].names)
            parts.append(f"SELECT {cols}, {rank} AS rank FROM {rel}")
        cols = ", ".join(schema.OUTPUT_TABLES["instalment_state"].names)
        query = (f"SELECT {cols} FROM ({' UNION ALL '.join(parts)}) "
                 f"QUALIFY row_number() OVER (PARTITION BY account_id, number ORDER BY rank DESC) = 1")
        if out is not None:
            con.execute(f"COPY ({query}) TO '" + str(out).replace("'", "''") + "' (FORMAT parquet)")
            return None
        table = con.sql(f"{query} ORDER BY account_id, number").to_arrow_table()
    finally:
        con.close()
    return pa.Table.from_arrays([table.column(f.name).cast(f.type) for f in schema.OUTPUT_TABLES["instalment_state"]],
                                schema=schema.OUTPUT_TABLES["instalment_state"])


def instalments_on(day: dt.date, runs, out: str | Path | None = None) -> pa.Table | None:
    """The instalment states after the run of ``day``, from the output directories ``runs`` of the runs (each with
    ``summary.json`` and ``instalment_state.parquet``; any order, other days are ignored): the last full state on
    or before ``day`` and the changes of every later run up to it."""
    found = []
    for directory in runs:
        directory = Path(directory)
        summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
        as_of = dt.date.fromisoformat(summary["as_of"])
        if as_of <= day:
            found.append((as_of, summary["instalment_state"]["kind"], directory / "instalment_state.parquet"))
    found.sort(key=lambda r: r[0])
    if len({d for d, _k, _p in found}) != len(found):
        raise ValueError("two runs of the same date: keep only the last run of each day")
    fulls = [n for n, (_d, kind, _p) in enumerate(found) if kind == "full"]
    if not fulls:
        raise ValueError(f"no full instalment state on or before {day}")
    start = fulls[-1]
    return apply_changes(found[start][2], *[p for _d, _k, p in found[start + 1:]], out=out)
