"""The report computations: one function per report table, each a pure query over the daily history
(:mod:`concord.reports.store`) through a DuckDB connection with its views (``HistoryStore.connect()``). No Django.

Every function takes the period (``start``, ``end``, inclusive) and a :class:`Filters`; money comes back in
integer fen, rates as :class:`fractions.Fraction`-free floats rounded to 4 places (a rate is not money).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

#: Columns of the accounts table a report can be filtered by, and the form field that sets each.
FILTER_COLUMNS = ("creditor_id", "product_id", "placement_id", "team_id", "collector_id", "bucket")


@dataclass(frozen=True)
class Filters:
    """Which accounts a report counts (None: any). ``team_id``/``collector_id`` select the case's owner on each day;
    ``teams`` limits to a set of teams (a team lead's row-level access)."""
    creditor_id: int | None = None
    product_id: int | None = None
    placement_id: int | None = None
    team_id: int | None = None
    collector_id: int | None = None
    bucket: str | None = None
    teams: tuple[int, ...] | None = None

    def where(self, alias: str = "a") -> tuple[str, list]:
        """SQL conditions on an accounts row (``alias``) and their parameters."""
        sql, params = [], []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name == "teams":
                marks = ", ".join("?" for _ in value) or "NULL"
                sql.append(f"{alias}.team_id IN ({marks})")
                params.extend(value)
            else:
                sql.append(f"{alias}.{f.name} = ?")
                params.append(value)
        return (" AND ".join(sql) or "TRUE"), params


def on_cases(filters: Filters, fact: str = "f", start: dt.date | None = None,
             end: dt.date | None = None) -> tuple[str, list]:
    """SQL condition keeping the facts (alias ``fact``, with ``case_id`` and ``day``) of cases whose accounts pass the
    filters that day; TRUE without filters (facts of cases without accounts count too). ``start``/``end``: the period
    the facts are read from, repeated on the accounts so that DuckDB reads only the period's files of them."""
    where, params = filters.where("a")
    if not params:
        return "TRUE", []
    period, days = ("", []) if start is None or end is None else (" AND a.day BETWEEN ? AND ?", [start, end])
    return (f"EXISTS (SELECT 1 FROM accounts a WHERE a.case_id = {fact}.case_id AND a.day = {fact}.day AND {where}"
            f"{period})", [*params, *days])


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def rows(con, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
