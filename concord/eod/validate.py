"""Snapshot validation: refuse a bad snapshot before anything is computed or written. Pure: no Django import.

A snapshot is a mapping ``table name -> pyarrow.Table`` (see :mod:`concord.eod.schema`). Every problem names
the table, the column and the first offending rows (by their key columns).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from concord.loans.allocation import COMPONENTS
from concord.loans.delinquency import BUCKETS

from . import schema

SHOW_ROWS = 5
CASE_STATUSES = ("new", "open", "on_hold", "settled", "recalled", "closed")
ACCOUNT_STATUSES = ("open", "settled", "recalled", "written_off")


class SnapshotError(ValueError):
    """A snapshot the engine refuses; ``problems`` lists every finding (table, column, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"{t}.{c}: {m}" if c else f"{t}: {m}" for t, c, m in problems]
        super().__init__("snapshot refused:\n  " + "\n  ".join(lines))


def read_snapshot(directory: str | Path) -> dict[str, pa.Table]:
    """Read ``<dir>/<table>.parquet`` (or a ``<dir>/<table>/`` Parquet dataset) for each known table present."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SnapshotError([("snapshot", "", f"{directory} is not a directory")])
    tables = {}
    for name in schema.INPUT_TABLES:
        for path in (directory / f"{name}.parquet", directory / name):
            if path.exists():
                tables[name] = pq.read_table(path)
                break
    return tables


def write_snapshot(tables: dict[str, pa.Table], directory: str | Path) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, directory / f"{name}.parquet")


def _compatible(actual: pa.DataType, wanted: pa.DataType) -> bool:
    if actual == wanted:
        return True
    if pa.types.is_null(actual):
        return True  # an all-null column (e.g. written by a tool that lost the type)
    if pa.types.is_integer(wanted) and pa.types.is_integer(actual):
        return pa.types.is_signed_integer(actual) or actual.bit_width < wanted.bit_width
    if pa.types.is_string(wanted):
        return pa.types.is_large_string(actual) or pa.types.is_string_view(actual)
    return False


def _rows(table: pa.Table, mask: pa.ChunkedArray | pa.Array, keys: list[str], column: str | None = None) -> str:
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    count = len(idx)
    shown = table.take(idx[:SHOW_ROWS])
    cols = [k for k in keys if k in shown.column_names] + ([column] if column and column not in keys else [])
    parts = []
    for row in shown.select(cols).to_pylist():
        parts.append("(" + ", ".join(f"{k}={row[k]}" for k in cols) + ")")
    more = f" … {count} rows in all" if count > SHOW_ROWS else ""
    return " ".join(parts) + more


def validate(tables: dict[str, pa.Table], as_of: dt.date) -> dict[str, pa.Table]:
    """Check presence, columns and types, then values; return the tables cast to the exact schemas (missing
    optional tables as empty tables). Raises :class:`SnapshotError` naming every problem found."""
    problems: list[tuple[str, str, str]] = []
    out: dict[str, pa.Table] = {}
    for name, (sch, required) in schema.INPUT_TABLES.items():
        table = tables.get(name)
        if table is None:
            if required:
                problems.append((name, "", "table missing from the snapshot"))
            else:
                out[name] = sch.empty_table()
            continue
        bad = False
        for f in sch:
            if f.name not in table.column_names:
                problems.append((name, f.name, f"column missing (expected {f.type})"))
                bad = True
            elif not _compatible(table.schema.field(f.name).type, f.type):
                problems.append((name, f.name, f"has type {table.schema.field(f.name).type}, expected {f.type}"))
                bad = True
        if not bad:
            out[name] = pa.Table.from_arrays(
                [table.column(f.name).cast(f.type) for f in sch], schema=sch).combine_chunks()
    unknown = sorted(set(tables) - set(schema.INPUT_TABLES))
    if unknown:
        problems.append(("snapshot", "", f"unknown table(s) {', '.join(unknown)}"))
    if problems:
        raise SnapshotError(problems)
    _check_values(out, as_of, problems)
    if problems:
        raise SnapshotError(problems)
    return out


def _check_values(t: dict[str, pa.Table], as_of: dt.date, problems: list) -> None:
    def keys(name):
        return schema.UNIQUE.get(name, [])

    for name, cols in schema.NOT_NULL.items():
        for col in cols:
            mask = pc.is_null(t[name].column(col))
            if pc.any(mask).as_py():
                problems.append((name, col, f"must not be empty: {_rows(t[name], mask, keys(name))}"))
    for name, cols in schema.NON_NEGATIVE.items():
        for col in cols:
            mask = pc.less(t[name].column(col), 0)
            if pc.any(mask).as_py():
                problems.append((name, col, f"must not be negative: {_rows(t[name], mask, keys(name), col)}"))
    for name, cols in schema.NON_NEGATIVE.items():
        for col in cols:
            if col.endswith("_fen"):
                mask = pc.greater(t[name].column(col), schema.MAX_FEN)
                if pc.any(mask).as_py():
                    problems.append((name, col, f"above the limit of {schema.MAX_FEN} fen: "
                                                f"{_rows(t[name], mask, keys(name), col)}"))
    for name, cols in schema.UNIQUE.items():
        table = t[name]
        if table.num_rows == 0:
            continue
        counts = table.group_by(cols).aggregate([([], "count_all")])
        dup = pc.greater(counts.column("count_all"), 1)
        if pc.any(dup).as_py():
            problems.append((name, ",".join(cols), f"duplicate key: {_rows(counts, dup, cols)}"))
    _check_rules(t, problems)
    _check_references(t, problems)
    _check_dates(t, as_of, problems)


def _in(table, col, allowed):
    values = table.column(col)
    return pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, pa.array(list(allowed)))))


def _check_rules(t, problems):
    products = t["products"]
    mask = pc.greater(products.column("penalty_daily_rate_e6"), schema.MAX_PENALTY_RATE_E6)
    if pc.any(mask).as_py():
        problems.append(("products", "penalty_daily_rate_e6", f"above {schema.MAX_PENALTY_RATE_E6} (1% a day): "
                                                              f"{_rows(products, mask, ['product_id'])}"))
    mask = pc.greater(products.column("total_cost_cap_rate_e4"), schema.MAX_CAP_RATE_E4)
    if pc.any(mask).as_py():
        problems.append(("products", "total_cost_cap_rate_e4", f"above {schema.MAX_CAP_RATE_E4} (100% a year): "
                                                               f"{_rows(products, mask, ['product_id'])}"))
    bad = [sorted((w or "").split(",")) != sorted(COMPONENTS) for w in products.column("waterfall").to_pylist()]
    if any(bad):
        problems.append(("products", "waterfall", f"must be a permutation of {','.join(COMPONENTS)}: "
                                                  f"{_rows(products, pa.array(bad), ['product_id'], 'waterfall')}"))
    from concord.compliance.packs import PACK_NAMES

    mask = _in(t["creditors"], "policy_pack", PACK_NAMES)
    if pc.any(mask).as_py():
        problems.append(("creditors", "policy_pack", f"unknown pack: {_rows(t['creditors'], mask, ['creditor_id'], 'policy_pack')}"))
    for name, col, allowed in (("accounts", "prev_bucket", BUCKETS), ("accounts", "status", ACCOUNT_STATUSES),
                               ("cases", "status", CASE_STATUSES)):
        mask = _in(t[name], col, allowed)
        if pc.any(mask).as_py():
            problems.append((name, col, f"must be one of {', '.join(allowed)}: "
                                        f"{_rows(t[name], mask, schema.UNIQUE[name], col)}"))
    for name, col in (("instalments", "principal"), ("instalments", "interest")):
        table = t[name]
        mask = pc.greater(table.column(f"{col}_paid_fen"), table.column(f"{col}_due_fen"))
        if pc.any(mask).as_py():
            problems.append((name, f"{col}_paid_fen", f"more paid than due: {_rows(table, mask, ['account_id', 'number'])}"))
    from .rules import SCORE_CHARACTERISTICS

    mask = _in(t["scorecard"], "characteristic", SCORE_CHARACTERISTICS)
    if pc.any(mask).as_py():
        problems.append(("scorecard", "characteristic", f"unknown characteristic (one of "
                         f"{', '.join(SCORE_CHARACTERISTICS)}): {_rows(t['scorecard'], mask, ['characteristic'])}"))


def _missing_ref(child: pa.Table, col: str, parent: pa.Table, pcol: str):
    return pc.and_(pc.is_valid(child.column(col)), pc.invert(pc.is_in(child.column(col), parent.column(pcol))))


def _check_references(t, problems):
    refs = [("products", "creditor_id", "creditors", "creditor_id"), ("cases", "creditor_id", "creditors", "creditor_id"),
            ("cases", "person_id", "persons", "person_id"), ("cases", "team_id", "teams", "team_id"),
            ("cases", "collector_id", "collectors", "collector_id"), ("accounts", "case_id", "cases", "case_id"),
            ("accounts", "product_id", "products", "product_id"), ("instalments", "account_id", "accounts", "account_id"),
            ("payments", "account_id", "accounts", "account_id"), ("promises", "case_id", "cases", "case_id"),
            ("arrangement_instalments", "case_id", "cases", "case_id"), ("collectors", "team_id", "teams", "team_id")]
    for child, col, parent, pcol in refs:
        mask = _missing_ref(t[child], col, t[parent], pcol)
        if pc.any(mask).as_py():
            problems.append((child, col, f"refers to no row of {parent}: "
                                         f"{_rows(t[child], mask, schema.UNIQUE.get(child, []), col)}"))


def _check_dates(t, as_of, problems):
    accounts = t["accounts"]
    mask = pc.greater(accounts.column("start_date"), pa.scalar(as_of, pa.date32()))
    if pc.any(mask).as_py():
        problems.append(("accounts", "start_date", f"after the as-of date {as_of}: "
                                                   f"{_rows(accounts, mask, ['account_id'], 'start_date')}"))
    earliest = as_of - dt.timedelta(days=schema.MAX_DAYS)
    mask = pc.less(accounts.column("start_date"), pa.scalar(earliest, pa.date32()))
    if pc.any(mask).as_py():
        problems.append(("accounts", "start_date", f"more than {schema.MAX_DAYS} days before {as_of}: "
                                                   f"{_rows(accounts, mask, ['account_id'], 'start_date')}"))
    joined = t["instalments"].select(["account_id", "number", "due_date"]).join(
        accounts.select(["account_id", "start_date"]), "account_id")
    mask = pc.less(joined.column("due_date"), joined.column("start_date"))
    if pc.any(mask).as_py():
        problems.append(("instalments", "due_date", "before the contract start (accounts.start_date): "
                         + _rows(joined, mask, ["account_id", "number", "due_date", "start_date"])))
    for name, lo, hi in (("promises", "promised_on", "due_date"), ("holds", "starts_on", "ends_on")):
        table = t[name]
        mask = pc.less(table.column(hi), table.column(lo))
        if pc.any(mask).as_py():
            problems.append((name, hi, f"before {lo}: {_rows(table, mask, schema.UNIQUE.get(name, ['person_id']), hi)}"))
