"""Execution backends of the end-of-day engine: DuckDB (embedded default) and PySpark. Pure: no Django import.

The engine's expressions are Ibis; a backend only loads tables (Arrow tables, or on DuckDB views over the Parquet
files of a snapshot), materialises a stage, and fetches results or writes them to Parquet.
Dates are loaded as whole day numbers (days since 1970-01-01, ``int32``) so every date difference is integer
arithmetic that both engines compute the same way.

DuckDB runs with a memory limit (``EOD_MEMORY_LIMIT``, default 3 GB), spilling to a temporary directory beyond
it, one thread per core, and without preserving insertion order (every output is sorted explicitly).
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import ibis
import pyarrow as pa

_counter = itertools.count()


def dates_to_days(table: pa.Table) -> pa.Table:
    cols = []
    for f, col in zip(table.schema, table.columns):
        cols.append(col.cast(pa.int32()) if pa.types.is_date32(f.type) else col)
    names = table.column_names
    return pa.Table.from_arrays(cols, names=names)


_spark_session = None


def spark_session(partitions: int = 4):
    """One local-mode SparkSession per process (reused by every run and test)."""
    global _spark_session
    if _spark_session is None:
        from pyspark.sql import SparkSession

        _spark_session = (
            SparkSession.builder.master("local[2]").appName("concord-eod")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.maxPlanStringLength", "100000")
            .config("spark.driver.memory", "2g")
            .getOrCreate())
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


DEFAULT_MEMORY_LIMIT = "3GB"


class Backend:
    def __init__(self, engine: str = "duckdb", *, spark=None, threads: int | None = None,
                 memory_limit: str | None = None):
        if engine not in ("duckdb", "spark"):
            raise ValueError(f"engine must be duckdb or spark, got {engine!r}")
        self.engine = engine
        self._spill: str | None = None
        if engine == "duckdb":
            self._spill = tempfile.mkdtemp(prefix="concord-eod-spill-")
            self.con = ibis.duckdb.connect(
                threads=int(threads or os.cpu_count() or 1),
                memory_limit=memory_limit or os.environ.get("EOD_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
                temp_directory=self._spill, preserve_insertion_order=False)
            self.duck = self.con.con  # the DuckDB connection (validation and Parquet output use it directly)
            self.duck.execute("SET enable_progress_bar = false")
            self.duck.execute("SET TimeZone = 'UTC'")
        else:
            self.spark = spark or spark_session()
            self.con = ibis.pyspark.connect(self.spark)
        self._views: list[str] = []

    def load(self, name: str, table: pa.Table) -> ibis.Table:
        table = dates_to_days(table)
        view = f"eod_{name}_{next(_counter)}"
        if self.engine == "duckdb":
            self.con.con.register(view, table)
        else:
            if table.num_rows == 0:
                df = self.spark.createDataFrame([], schema=_spark_schema(table.schema))
            else:
                df = self.spark.createDataFrame(table)
            df.createOrReplaceTempView(view)
        self._views.append(view)
        return self.con.table(view)

    def view(self, name: str, source: str, sch: pa.Schema) -> ibis.Table:
        """DuckDB: a view over ``source`` (a typed view of the snapshot) with dates as day numbers; nothing is
        read until a stage runs."""
        view = f"eod_{name}_{next(_counter)}"
        cols = ", ".join(
            f'CAST("{f.name}" - DATE \'1970-01-01\' AS INTEGER) AS "{f.name}"' if pa.types.is_date32(f.type)
            else f'"{f.name}"' for f in sch)
        self.duck.execute(f"CREATE TEMP VIEW {view} AS SELECT {cols} FROM {source}")
        return self.con.table(view)

    def materialise(self, expr: ibis.Table) -> ibis.Table:
        """Compute a stage now and keep it (a temporary table in DuckDB, a cached DataFrame in Spark)."""
        name = f"eod_stage_{next(_counter)}"
        if self.engine == "duckdb":
            return self.con.create_table(name, expr, temp=True)
        # a local checkpoint computes the stage once and cuts its lineage, so later plans stay small
        self.con.create_view(f"{name}_plan", expr, overwrite=True)
        self._views.append(f"{name}_plan")
        df = self.spark.table(f"{name}_plan").localCheckpoint(eager=True)
        df.createOrReplaceTempView(name)
        self._views.append(name)
        return self.con.table(name)

    def drop(self, table: ibis.Table) -> None:
        """Free a materialised stage no later expression reads (DuckDB: drop the temporary table)."""
        if self.engine == "duckdb":
            name = table.op().name  # a temporary table made by materialise()
            self.duck.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')

    def fetch(self, expr: ibis.Table) -> pa.Table:
        return expr.to_pyarrow()

    def copy_to_parquet(self, expr: ibis.Table, sch: pa.Schema, path: Path) -> None:
        """DuckDB: compute ``expr`` and write it to ``path`` in the output schema ``sch`` (day numbers back to
        dates, µs to UTC timestamps) — the rows never pass through Python. The rows are written in no particular
        order: sorting tens of millions of rows (and spilling to do it) would cost more than the rest of the write."""
        cols = []
        for f in sch:
            if pa.types.is_date32(f.type):
                cols.append(f'CAST(DATE \'1970-01-01\' + CAST("{f.name}" AS INTEGER) AS DATE) AS "{f.name}"')
            elif pa.types.is_timestamp(f.type):
                cols.append(f'CAST(make_timestamp(CAST("{f.name}" AS BIGINT)) AS TIMESTAMPTZ) AS "{f.name}"')
            else:
                cols.append(f'CAST("{f.name}" AS {_SQL_TYPES[f.type]}) AS "{f.name}"')
        target = str(path).replace("'", "''")
        self.duck.execute(f"COPY (SELECT {', '.join(cols)} FROM ({self.con.compile(expr)})) TO '{target}' "
                          f"(FORMAT parquet)")

    def close(self) -> None:
        if self.engine == "spark":
            for view in self._views:
                self.spark.catalog.dropTempView(view)
            self.spark.catalog.clearCache()
        else:
            self.con.disconnect()
            if self._spill:
                shutil.rmtree(self._spill, ignore_errors=True)


_SQL_TYPES = {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN"}


def _spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    mapping = {pa.int64(): T.LongType(), pa.int32(): T.IntegerType(), pa.string(): T.StringType(),
               pa.bool_(): T.BooleanType(), pa.timestamp("us", tz="UTC"): T.TimestampType()}
    return T.StructType([T.StructField(f.name, mapping[f.type], True) for f in schema])

