"""Execution backends of the end-of-day engine: DuckDB (embedded default) and PySpark. Pure: no Django import.

The engine's expressions are Ibis; a backend only loads Arrow tables, materialises a stage and fetches results.
Dates are loaded as whole day numbers (days since 1970-01-01, ``int32``) so every date difference is integer
arithmetic that both engines compute the same way.
"""
from __future__ import annotations

import itertools

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


class Backend:
    def __init__(self, engine: str = "duckdb", *, spark=None, threads: int | None = None):
        if engine not in ("duckdb", "spark"):
            raise ValueError(f"engine must be duckdb or spark, got {engine!r}")
        self.engine = engine
        if engine == "duckdb":
            self.con = ibis.duckdb.connect()
            if threads:
                self.con.raw_sql(f"SET threads TO {int(threads)}")
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

    def fetch(self, expr: ibis.Table) -> pa.Table:
        return expr.to_pyarrow()

    def close(self) -> None:
        if self.engine == "spark":
            for view in self._views:
                self.spark.catalog.dropTempView(view)
            self.spark.catalog.clearCache()


def _spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    mapping = {pa.int64(): T.LongType(), pa.int32(): T.IntegerType(), pa.string(): T.StringType(),
               pa.bool_(): T.BooleanType(), pa.timestamp("us", tz="UTC"): T.TimestampType()}
    return T.StructType([T.StructField(f.name, mapping[f.type], True) for f in schema])

