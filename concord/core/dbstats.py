"""Planner statistics kept current while a batch writes (PostgreSQL).

PostgreSQL plans each query from the statistics ``ANALYZE`` gathered. Autovacuum refreshes them a minute or so
after a table has changed by a tenth, and not at all where it is turned off. A batch that fills tables from
nothing, such as a first placement import of a million rows, outruns it: a table never analyzed gets the planner's
default guesses, so ``debtor_id = ANY(2,000 ids)`` is taken to match half of the table and every chunk's lookups
scan the whole of it — each chunk costs more than the one before. :func:`analyze_grown_tables`, run by a batch
after each chunk, analyzes every table that has doubled since it was last analyzed (once past ``MIN_PAGES``), so a
batch analyzes each table a logarithmic number of times: about ten for a million rows.
"""
from __future__ import annotations

from django.db import connection

MIN_PAGES = 128  # 1 MB of 8 kB pages: below it a table is read whole whatever the plan


def analyze_grown_tables() -> list[str]:
    """ANALYZE the tables of the current schema that are at least twice the size they had at their last
    ANALYZE or VACUUM (``pg_class.relpages``); returns their names. Does nothing on other databases."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind = 'r' AND n.nspname = current_schema()
                 AND pg_relation_size(c.oid) >= current_setting('block_size')::int * greatest(2 * c.relpages, %s)
               ORDER BY 1""", [MIN_PAGES])
        grown = [name for (name,) in cursor.fetchall()]
        for name in grown:
            cursor.execute(f"ANALYZE {name}")  # regclass::text is the name quoted where it needs quoting
    return grown
