"""Snapshot validation: refuse a bad snapshot before anything is computed or written. Pure: no Django import.

A snapshot is a mapping ``table name -> pyarrow.Table`` or a directory of Parquet files (see
:mod:`concord.eod.schema`). The checks run as SQL in DuckDB, over the Arrow tables (zero-copy) or straight over the
Parquet files, so a snapshot is never held in Python to be checked. Every problem names the table, the column and
the first offending rows (by their key columns, in key order).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from concord.loans.allocation import COMPONENTS
from concord.loans.delinquency import BUCKETS
from concord.loans.summary import CASE_STATUSES

from . import schema

SHOW_ROWS = 5
ACCOUNT_STATUSES = ("open", "settled", "recalled", "written_off")
# tables small enough to be read into Python (the engine builds its routing, slots and rules from them)
SMALL_TABLES = ("creditors", "products", "teams", "collectors", "scorecard", "strategy")
SQL_TYPES = {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN",
             pa.date32(): "DATE"}


class SnapshotError(ValueError):
    """A snapshot the engine refuses; ``problems`` lists every finding (table, column, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"{t}.{c}: {m}" if c else f"{t}: {m}" for t, c, m in problems]
        super().__init__("snapshot refused:\n  " + "\n  ".join(lines))


def snapshot_files(directory: str | Path) -> dict[str, Path]:
    """``<dir>/<table>.parquet`` (or a ``<dir>/<table>/`` Parquet dataset) for each known table present; any other
    ``*.parquet`` file or directory is listed under its own name (an unknown table, refused by validation)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SnapshotError([("snapshot", "", f"{directory} is not a directory")])
    files = {}
    for name in schema.INPUT_TABLES:
        for path in (directory / f"{name}.parquet", directory / name):
            if path.exists():
                files[name] = path
                break
    return files


def read_snapshot(directory: str | Path) -> dict[str, pa.Table]:
    """Read ``<dir>/<table>.parquet`` (or a ``<dir>/<table>/`` Parquet dataset) for each known table present."""
    return {name: pq.read_table(path) for name, path in snapshot_files(directory).items()}


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


def _arrow_schema(source) -> pa.Schema:
    if isinstance(source, pa.Table):
        return source.schema
    path = Path(source)
    return pq.read_schema(path) if path.is_file() else ds.dataset(path, format="parquet").schema


def _scan_sql(source_name: str, source) -> str:
    if isinstance(source, pa.Table):
        return source_name
    path = Path(source)
    pattern = str(path) if path.is_file() else str(path / "**" / "*.parquet")
    return "read_parquet('" + pattern.replace("'", "''") + "')"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Opened:
    """A checked snapshot inside a DuckDB connection: one view per input table with the exact column types
    (dates as DATE), and the small tables read into Arrow (cast to their schemas)."""
    con: duckdb.DuckDBPyConnection
    views: dict[str, str]
    small: dict[str, pa.Table]


def open_snapshot(con: duckdb.DuckDBPyConnection, sources: dict, as_of: dt.date, *, prefix: str = "snap") -> Opened:
    """Check ``sources`` (``name -> pyarrow.Table | Parquet path``) in ``con`` and create the typed views
    ``<prefix>_<table>``. Raises :class:`SnapshotError` naming every problem found (presence, columns and types
    first, then values)."""
    problems: list[tuple[str, str, str]] = []
    views: dict[str, str] = {}
    con.execute("SET enable_progress_bar = false")
    for name, (sch, required) in schema.INPUT_TABLES.items():
        view = f"{prefix}_{name}"
        source = sources.get(name)
        if source is None:
            if required:
                problems.append((name, "", "table missing from the snapshot"))
            else:
                cols = ", ".join(f"CAST(NULL AS {SQL_TYPES[f.type]}) AS {q(f.name)}" for f in sch)
                con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {cols} WHERE false")
                views[name] = view
            continue
        actual = _arrow_schema(source)
        bad = False
        for f in sch:
            if f.name not in actual.names:
                problems.append((name, f.name, f"column missing (expected {f.type})"))
                bad = True
            elif not _compatible(actual.field(f.name).type, f.type):
                problems.append((name, f.name, f"has type {actual.field(f.name).type}, expected {f.type}"))
                bad = True
        if bad:
            continue
        scan = _scan_sql(f"{prefix}_src_{name}", source)
        if isinstance(source, pa.Table):
            con.register(scan, source)
        cols = ", ".join(f"CAST({q(f.name)} AS {SQL_TYPES[f.type]}) AS {q(f.name)}" for f in sch)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {cols} FROM {scan}")
        views[name] = view
    unknown = sorted(set(sources) - set(schema.INPUT_TABLES))
    if unknown:
        problems.append(("snapshot", "", f"unknown table(s) {', '.join(unknown)}"))
    if problems:
        raise SnapshotError(problems)
    small = {name: _cast(con.sql(f"SELECT * FROM {views[name]}").to_arrow_table(), schema.INPUT_TABLES[name][0])
             for name in SMALL_TABLES}
    for name, table in small.items():  # the small tables are read once: their checks run over the copy
        con.register(f"{prefix}_copy_{name}", table)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {views[name]} AS SELECT * FROM {prefix}_copy_{name}")
    _Checker(con, views, small, as_of).run()
    return Opened(con=con, views=views, small=small)


def validate(tables: dict[str, pa.Table], as_of: dt.date) -> dict[str, pa.Table]:
    """Check presence, columns and types, then values; return the tables cast to the exact schemas (missing
    optional tables as empty tables). Raises :class:`SnapshotError` naming every problem found."""
    con = duckdb.connect()
    try:
        open_snapshot(con, tables, as_of)
    finally:
        con.close()
    out = {}
    for name, (sch, _required) in schema.INPUT_TABLES.items():
        out[name] = _cast(tables[name], sch) if name in tables else sch.empty_table()
    return out


def _cast(table: pa.Table, sch: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([table.column(f.name).cast(f.type) for f in sch], schema=sch).combine_chunks()


def _lit(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return str(value)


def _in_list(values) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


@dataclass
class _Check:
    table: str          # the table the problem is reported on (and whose pass detects it)
    column: str
    message: str        # followed by ": <rows>"
    where: str          # SQL condition over the rows of ``source``
    show: list[str]     # columns shown for each offending row
    source: str = ""    # FROM clause of the exact rows and count (default: the table's view)
    # how the table's one pass detects it, when not by ``where`` over each row: a condition over the pass's
    # per-key (or, for the instalments, per-account) aggregate; the exact rows and count then come from
    # ``source``/``where`` (which may find none: no problem after all)
    detect: str | None = None


# The order the tables are checked in: a reference points to a table checked before it, whose keys are kept.
ORDER = ("creditors", "teams", "persons", "products", "collectors", "cases", "accounts", "instalments", "payments",
         "promises", "arrangement_instalments", "holds", "contacts", "scorecard", "strategy", "case_segments")
PARENTS = {"creditors", "teams", "persons", "products", "collectors", "cases", "accounts"}
KEPT = {"accounts": ["start_date"]}  # kept with the keys, for a check of a child (instalment due dates)


class _Checker:
    """Each check is a SQL condition. A good snapshot is read once per table (the instalments twice): one
    aggregate query per table answers "anything wrong here?" for all its checks at once — its row conditions, its
    references (against the keys kept from its parents' pass, so a parent is not read again) and duplicate keys
    (the pass groups by the key); the instalments are read once for their row conditions and once grouped by
    account (duplicate numbers 0…63 by a bit mask, due dates against the contract start, missing accounts). Only
    a table with a problem is read again, to count each check, and only a failing check reads its first rows."""

    def __init__(self, con, views, small, as_of):
        self.con, self.v, self.small, self.as_of = con, views, small, as_of

    def keys(self, name: str) -> str:
        """The key table of a parent, made by its pass."""
        return f"{self.v[name]}_keys"

    def run(self) -> None:
        checks = self.checks()
        counts: dict[int, int] = {}
        for name in ORDER:
            if name not in self.v:
                continue
            idx = [n for n, c in enumerate(checks) if c.table == name]
            flags = self._pass(name, [checks[n] for n in idx])
            rows = [n for n, hit in zip(idx, flags) if hit and checks[n].detect is None]
            if rows:  # a problem among the row conditions: read the table again to count each of them
                exprs = ", ".join(f"count(*) FILTER (WHERE {checks[n].where})" for n in rows)
                counts.update(zip(rows, self.con.execute(f"SELECT {exprs} FROM {self.v[name]}").fetchall()[0]))
            for n, hit in zip(idx, flags):
                c = checks[n]
                if c.detect is not None:
                    counts[n] = self.con.execute(f"SELECT count(*) FROM {c.source or self.v[c.table]} "
                                                 f"WHERE {c.where}").fetchall()[0][0] if hit else 0
                counts.setdefault(n, 0)
        problems = []
        for n, c in enumerate(checks):
            if counts[n]:
                problems.append((c.table, c.column, f"{c.message}: {self._rows(c, counts[n])}"))
        if problems:
            raise SnapshotError(problems)

    def _pass(self, name: str, checks: list[_Check]) -> list[bool]:
        """The table's one pass: for each of its checks, whether it may have found something."""
        rowconds = [c.where for c in checks if c.detect is None]
        bad = f"bool_or({' OR '.join(f'({w})' for w in rowconds)})" if rowconds else "false"
        view = self.v[name]
        if name == "instalments":
            # two passes over the largest table: its rows (an ungrouped aggregate is far cheaper than one more
            # aggregate per account), then per account — numbers, due dates, missing accounts
            any_row = self.con.execute(f"SELECT coalesce({bad}, false) FROM {view}").fetchall()[0][0]
            detects = [c.detect for c in checks if c.detect is not None]
            found = iter(self.con.execute("SELECT " + ", ".join(f"coalesce(bool_or({c}), false)" for c in detects)
                                          + f" FROM {self.instalments_per_account()}").fetchall()[0])
            return [bool(next(found)) if c.detect is not None else bool(any_row) for c in checks]
        elif name in PARENTS:
            # its keys (and the columns a child's check reads) stay for the tables checked after it, each row with
            # its verdict; the duplicates are found in that copy
            key = ", ".join(q(c) for c in schema.UNIQUE[name])
            rowbad = " OR ".join(f"({w})" for w in rowconds) or "false"
            kept = "".join(f", {q(c)}" for c in KEPT.get(name, []))
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.keys(name)} AS "
                             f"SELECT {key}{kept}, {rowbad} AS bad FROM {view}")
            source = f"(SELECT {key}, count(*) AS n, bool_or(bad) AS bad FROM {self.keys(name)} GROUP BY {key})"
        elif name in schema.UNIQUE:
            key = ", ".join(q(c) for c in schema.UNIQUE[name])
            source = f"(SELECT {key}, count(*) AS n, {bad} AS bad FROM {view} GROUP BY {key})"
        else:
            source = f"(SELECT {bad} AS bad FROM {view})"
        conds = ["bad"] + [c.detect for c in checks if c.detect is not None]
        found = self.con.execute("SELECT " + ", ".join(f"coalesce(bool_or({c}), false)" for c in conds)
                                 + f" FROM {source}").fetchall()[0]
        any_row, rest = found[0], iter(found[1:])
        return [bool(next(rest)) if c.detect is not None else bool(any_row) for c in checks]

    def _rows(self, c: _Check, count: int) -> str:
        cols = ", ".join(q(s) for s in c.show)
        select = f"SELECT {cols} FROM {c.source or self.v[c.table]} WHERE {c.where}"
        if c.show:
            select += f" ORDER BY {cols}"
        rows = self.con.execute(f"{select} LIMIT {SHOW_ROWS}").fetchall()
        parts = ["(" + ", ".join(f"{k}={v}" for k, v in zip(c.show, r)) + ")" for r in rows]
        more = f" … {count} rows in all" if count > SHOW_ROWS else ""
        return " ".join(parts) + more

    def checks(self) -> list[_Check]:
        v, out = self.v, []

        def keys(name, column=None):
            k = list(schema.UNIQUE.get(name, []))
            return k + ([column] if column and column not in k else [])

        for name, cols in schema.NOT_NULL.items():
            out += [_Check(name, col, "must not be empty", f"{q(col)} IS NULL", keys(name)) for col in cols]
        for name, cols in schema.NON_NEGATIVE.items():
            out += [_Check(name, col, "must not be negative", f"{q(col)} < 0", keys(name, col)) for col in cols]
        for name, cols in schema.NON_NEGATIVE.items():
            out += [_Check(name, col, f"above the limit of {schema.MAX_FEN} fen", f"{q(col)} > {schema.MAX_FEN}",
                           keys(name, col)) for col in cols if col.endswith("_fen")]
        for name, cols in schema.UNIQUE.items():
            k = ", ".join(q(c) for c in cols)
            if name == "instalments":
                # numbers 0…63 of an account are distinct when its bit mask has as many bits as rows; any other
                # number, or a mask that does not add up, is looked at with the exact GROUP BY
                dup = f"(SELECT {k}, count(*) AS n FROM {v[name]} GROUP BY ALL HAVING count(*) > 1)"
                detect = "coalesce(bits, 0) <> c_small OR c_other > 0"
            else:  # the pass groups the table (a parent: the copy of its keys) by its key
                dup = (f"(SELECT {k}, count(*) AS n FROM {self.keys(name) if name in PARENTS else v[name]} "
                       f"GROUP BY {k} HAVING count(*) > 1)")
                detect = "n > 1"
            out.append(_Check(name, ",".join(cols), "duplicate key", "true", cols, source=dup, detect=detect))
        out += self.rule_checks()
        out += self.reference_checks()
        out += self.date_checks()
        return out

    def rule_checks(self) -> list[_Check]:
        out = [_Check("products", "penalty_daily_rate_e6", f"above {schema.MAX_PENALTY_RATE_E6} (1% a day)",
                      f"penalty_daily_rate_e6 > {schema.MAX_PENALTY_RATE_E6}", ["product_id"]),
               _Check("products", "total_cost_cap_rate_e4", f"above {schema.MAX_CAP_RATE_E4} (100% a year)",
                      f"total_cost_cap_rate_e4 > {schema.MAX_CAP_RATE_E4}", ["product_id"])]
        # a waterfall is checked in Python (a handful of products): the ids of the bad ones go into the condition
        products = self.small["products"].to_pylist()
        bad = [p["product_id"] for p in products
               if sorted((p["waterfall"] or "").split(",")) != sorted(COMPONENTS)]
        out.append(_Check("products", "waterfall", f"must be a permutation of {','.join(COMPONENTS)}",
                          f"product_id IN {_in_list(bad)}" if bad else "false", ["product_id", "waterfall"]))
        from concord.compliance.packs import PACK_NAMES

        out.append(_Check("creditors", "policy_pack", "unknown pack",
                          f"policy_pack IS NOT NULL AND policy_pack NOT IN {_in_list(PACK_NAMES)}",
                          ["creditor_id", "policy_pack"]))
        for name, col, allowed in (("accounts", "prev_bucket", BUCKETS), ("accounts", "status", ACCOUNT_STATUSES),
                                   ("cases", "status", CASE_STATUSES)):
            out.append(_Check(name, col, f"must be one of {', '.join(allowed)}",
                              f"{col} IS NOT NULL AND {col} NOT IN {_in_list(allowed)}",
                              list(schema.UNIQUE[name]) + [col]))
        for col in ("principal", "interest"):
            out.append(_Check("instalments", f"{col}_paid_fen", "more paid than due",
                              f"{col}_paid_fen > {col}_due_fen", ["account_id", "number"]))
        from .rules import LEGAL_STATUSES, SCORE_CHARACTERISTICS, parse_path

        out.append(_Check("strategy", "legal_status", f"must be one of {', '.join(LEGAL_STATUSES)}",
                          f"legal_status IS NOT NULL AND legal_status NOT IN {_in_list(LEGAL_STATUSES)}",
                          ["rule_order", "legal_status"]))
        out.append(_Check("strategy", "hours_to", "preferred hours must be whole hours 0 ≤ from < to ≤ 24, both or "
                          "neither", "(hours_from IS NULL) <> (hours_to IS NULL) OR hours_from < 0 OR hours_to > 24 "
                          "OR hours_from >= hours_to", ["rule_order", "hours_from", "hours_to"]))
        bad_paths = []
        for r in self.small["strategy"].to_pylist():  # a few hundred rules at most: parsed in Python
            try:
                parse_path(r["path"])
            except ValueError:
                if r["rule_order"] is not None:
                    bad_paths.append(r["rule_order"])
        out.append(_Check("strategy", "path", "must be day:action steps, days increasing, actions "
                          "call/sms/letter/visit/email/legal_review",
                          f"rule_order IN {_in_list(bad_paths)}" if bad_paths else "false", ["rule_order", "path"]))

        out.append(_Check("scorecard", "characteristic",
                          f"unknown characteristic (one of {', '.join(SCORE_CHARACTERISTICS)})",
                          f"characteristic IS NOT NULL AND characteristic NOT IN {_in_list(SCORE_CHARACTERISTICS)}",
                          ["characteristic"]))
        return out

    def reference_checks(self) -> list[_Check]:
        refs = [("products", "creditor_id", "creditors", "creditor_id"),
                ("cases", "creditor_id", "creditors", "creditor_id"), ("cases", "person_id", "persons", "person_id"),
                ("cases", "team_id", "teams", "team_id"), ("cases", "collector_id", "collectors", "collector_id"),
                ("accounts", "case_id", "cases", "case_id"), ("accounts", "product_id", "products", "product_id"),
                ("instalments", "account_id", "accounts", "account_id"),
                ("payments", "account_id", "accounts", "account_id"), ("promises", "case_id", "cases", "case_id"),
                ("arrangement_instalments", "case_id", "cases", "case_id"),
                ("collectors", "team_id", "teams", "team_id")]
        out = []
        for child, col, parent, pcol in refs:
            if child == "instalments":  # in the join with the accounts that the due-date check reads too
                out.append(_Check("instalments", "account_id", "refers to no row of accounts",
                                  "no_account AND account_id IS NOT NULL", ["account_id", "number"],
                                  source=self.instalments_with_accounts(),
                                  detect="no_account AND account_id IS NOT NULL"))
                continue
            # against the keys kept by the parent's pass (the parent is not read again)
            missing = (f"{q(col)} IS NOT NULL AND {q(col)} NOT IN (SELECT {q(pcol)} FROM {self.keys(parent)} "
                       f"WHERE {q(pcol)} IS NOT NULL)")
            out.append(_Check(child, col, f"refers to no row of {parent}", missing,
                              list(schema.UNIQUE.get(child, [])) + ([col] if col not in schema.UNIQUE.get(child, [])
                                                                     else [])))
        return out

    def instalments_per_account(self) -> str:
        """The instalments summed up per account, with the account's key row: one pass over the largest table
        finds duplicate numbers, missing accounts and due dates before the contract start (the exact rows are read
        only when there is a problem)."""
        v = self.v
        return (f"(SELECT g.*, a.start_date, a.account_id IS NULL AS no_account FROM ("
                f"SELECT account_id, count(*) FILTER (WHERE number BETWEEN 0 AND 63) AS c_small, "
                f"bit_count(bit_or(CASE WHEN number BETWEEN 0 AND 63 THEN 1::UBIGINT << number END)) AS bits, "
                f"count(*) FILTER (WHERE number IS NULL OR number NOT BETWEEN 0 AND 63) AS c_other, "
                f"min(due_date) AS min_due FROM {v['instalments']} GROUP BY account_id) g "
                f"LEFT JOIN {self.keys('accounts')} a ON g.account_id = a.account_id)")

    def instalments_with_accounts(self) -> str:
        """Every instalment with its account: one join for "refers to no account" and "due before the start"."""
        v = self.v
        return (f"(SELECT i.account_id, i.number, i.due_date, a.start_date, a.account_id IS NULL AS no_account "
                f"FROM {v['instalments']} i LEFT JOIN {self.keys('accounts')} a ON i.account_id = a.account_id)")

    def date_checks(self) -> list[_Check]:
        as_of = self.as_of
        earliest = as_of - dt.timedelta(days=schema.MAX_DAYS)
        joined = self.instalments_with_accounts()
        return [
            _Check("accounts", "start_date", f"after the as-of date {as_of}", f"start_date > {_lit(as_of)}",
                   ["account_id", "start_date"]),
            _Check("accounts", "start_date", f"more than {schema.MAX_DAYS} days before {as_of}",
                   f"start_date < {_lit(earliest)}", ["account_id", "start_date"]),
            _Check("instalments", "due_date", "before the contract start (accounts.start_date)",
                   "due_date < start_date", ["account_id", "number", "due_date", "start_date"], source=joined,
                   detect="min_due < start_date"),
            _Check("promises", "due_date", "before promised_on", "due_date < promised_on", ["promise_id", "due_date"]),
            _Check("holds", "ends_on", "before starts_on", "ends_on < starts_on", ["person_id", "ends_on"]),
        ]
