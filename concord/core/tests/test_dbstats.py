"""Planner statistics during a batch: a table that has doubled since PostgreSQL last analyzed it is analyzed
again, and only then; elsewhere nothing happens."""
import pytest
from django.db import connection

from concord.core import dbstats

pytestmark = pytest.mark.django_db

PAD = "x" * 200


def _fill(rows: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO dbstats_probe (pad) SELECT %s FROM generate_series(1, %s)", [PAD, rows])


def _analyzed_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'dbstats_probe'::regclass")
        return cursor.fetchone()[0]


def test_a_table_is_analyzed_when_it_has_doubled():
    if connection.vendor != "postgresql":
        assert dbstats.analyze_grown_tables() == []  # SQLite plans without gathered statistics
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE dbstats_probe (id serial PRIMARY KEY, pad text)")
    _fill(100)  # well under MIN_PAGES: not worth a look
    assert "dbstats_probe" not in dbstats.analyze_grown_tables()
    assert _analyzed_rows() < 0  # never analyzed
    _fill(10_000)  # ≈ 2.3 MB
    assert "dbstats_probe" in dbstats.analyze_grown_tables()
    assert _analyzed_rows() == 10_100
    _fill(5_000)  # half as much again: the statistics still describe it well enough
    assert "dbstats_probe" not in dbstats.analyze_grown_tables()
    _fill(10_000)  # now twice the size it was analyzed at
    assert "dbstats_probe" in dbstats.analyze_grown_tables()
    assert _analyzed_rows() == 25_100
