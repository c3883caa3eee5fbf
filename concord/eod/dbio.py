"""Bulk reads and writes between the application database and Arrow, for the EOD adapter.

PostgreSQL: ``COPY (query) TO STDOUT`` / ``COPY … FROM STDIN`` in CSV through psycopg 3 (no per-row Python work;
pyarrow parses and writes the CSV). SQLite: ``sqlite3`` cursors (``executemany`` into temporary tables).
All of it runs on Django's connection, so reads and writes join the caller's transaction.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
from zoneinfo import ZoneInfo

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.conf import settings
from django.db import connection

_counter = itertools.count()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def fen(expr: str) -> str:
    """SQL: a Decimal money column, read as integer fen — name the column in ``read(money=…)``. On PostgreSQL
    the numeric text is parsed by pyarrow as a decimal and scaled there (PostgreSQL's numeric arithmetic over
    millions of rows costs seconds); on SQLite it is rounded in SQL."""
    if is_postgres():
        return expr
    return f"CAST(ROUND({expr} * 100) AS INTEGER)"


def scaled(expr: str, factor: int) -> str:
    return f"CAST(ROUND({expr} * {factor}) AS {'BIGINT' if is_postgres() else 'INTEGER'})"


def local_date(expr: str, on: dt.date) -> str:
    """SQL: the date of an aware timestamp column in the project time zone (``settings.TIME_ZONE``)."""
    if is_postgres():
        return f"CAST(({expr} AT TIME ZONE '{settings.TIME_ZONE}') AS DATE)"
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(dt.datetime.combine(on, dt.time(12)))
    return f"date({expr}, '{int(offset.total_seconds() // 60):+d} minutes')"


def ts(value: dt.datetime):
    """A timestamp parameter for raw SQL, stored the way Django stores it (UTC text on SQLite)."""
    if is_postgres():
        return value
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def read(sql: str, sch: pa.Schema, params: list | None = None, money: tuple[str, ...] = ()) -> pa.Table:
    """Run ``sql`` (its columns in the order of ``sch``) and return an Arrow table of that schema. ``money``: the
    columns selected with :func:`fen`."""
    if is_postgres():
        return _read_pg(sql, sch, params or [], money)
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        rows = cur.fetchall()
    cols = list(zip(*rows)) if rows else [()] * len(sch)
    arrays = []
    for f, values in zip(sch, cols):
        arrays.append(_sqlite_array(list(values), f.type))
    return pa.Table.from_arrays(arrays, schema=sch)


def _sqlite_array(values: list, typ: pa.DataType) -> pa.Array:
    if pa.types.is_date32(typ):
        return pa.array([dt.date.fromisoformat(v[:10]) if isinstance(v, str) else v for v in values], typ)
    if pa.types.is_boolean(typ):
        return pa.array([None if v is None else bool(v) for v in values], typ)
    if pa.types.is_integer(typ):
        return pa.array([None if v is None else int(v) for v in values], typ)
    return pa.array(values, typ)


def _read_pg(sql: str, sch: pa.Schema, params: list, money=()) -> pa.Table:
    raw = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
    if params:
        sql = raw.mogrify(sql, params)
    buf = io.BytesIO()
    with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            buf.write(block)
    if buf.tell() == 0:
        return sch.empty_table()
    buf.seek(0)
    types = {n: (MONEY_TEXT if n in money else t) for n, t in zip(sch.names, sch.types)}
    table = pacsv.read_csv(
        buf, read_options=pacsv.ReadOptions(column_names=sch.names, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=types, true_values=["t"], false_values=["f"],
                                             strings_can_be_null=True, quoted_strings_can_be_null=False))
    hundred = pa.scalar(Decimal(100), pa.decimal128(3, 0))
    for name in money:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, pc.cast(pc.multiply(table.column(name), hundred), pa.int64()))
    return table


MONEY_TEXT = pa.decimal128(18, 2)


_SQL_TYPES = {"pg": {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.string(): "TEXT", pa.bool_(): "BOOLEAN",
                     pa.date32(): "DATE", pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ"},
              "sqlite": {pa.int64(): "INTEGER", pa.int32(): "INTEGER", pa.string(): "TEXT", pa.bool_(): "INTEGER",
                         pa.date32(): "TEXT", pa.timestamp("us", tz="UTC"): "TEXT"}}


def temp_table(name: str, table: pa.Table) -> str:
    """Load ``table`` into a new temporary table (dropped at commit on PostgreSQL); returns its name."""
    kind = "pg" if is_postgres() else "sqlite"
    tmp = f"eod_tmp_{name}_{next(_counter)}"
    cols = ", ".join(f'"{f.name}" {_SQL_TYPES[kind][f.type]}' for f in table.schema)
    with connection.cursor() as cur:
        if kind == "pg":
            cur.execute(f"CREATE TEMP TABLE {tmp} ({cols}) ON COMMIT DROP")
        else:
            cur.execute(f"CREATE TEMP TABLE {tmp} ({cols})")
    copy_into(tmp, table)
    if kind == "pg":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {tmp}")
    return tmp


def copy_into(target: str, table: pa.Table, columns: list[str] | None = None) -> None:
    """Append the rows of ``table`` to the database table ``target`` (columns by name)."""
    columns = columns or table.column_names
    if table.num_rows == 0:
        return
    collist = ", ".join(f'"{c}"' for c in columns)
    if is_postgres():
        buf = io.BytesIO()
        pacsv.write_csv(table.select(columns), buf, write_options=pacsv.WriteOptions(
            include_header=False, quoting_style="needed"))
        raw = connection.cursor().cursor
        with raw.copy(f"COPY {target} ({collist}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buf.getvalue())
        return
    rows = _sqlite_rows(table.select(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {target} ({collist}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def _sqlite_rows(table: pa.Table):
    cols = []
    for f, col in zip(table.schema, table.columns):
        values = col.to_pylist()
        if pa.types.is_date32(f.type):
            values = [None if v is None else v.isoformat() for v in values]
        elif pa.types.is_timestamp(f.type):
            values = [None if v is None else v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for v in values]
        cols.append(values)
    return list(zip(*cols))


def execute(sql: str, params: list | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.rowcount


def drop_temp(name: str) -> None:
    if not is_postgres():
        execute(f"DROP TABLE IF EXISTS {name}")
