"""The scorecard's counts from the daily history (pure: DuckDB SQL over :mod:`concord.reports.store`, no Django), per
collector or per team (``by = "collector_id" | "team_id"``) for a period and the reports' :class:`Filters`.

* contacts — outbound contact attempts: a collector's own (``collector_id`` of the attempt); a team's: those on the
  cases the team held that day;
* complaints — complaints received (kind complaint or dispute) on a case, counted for the case's owner that day;
* requests / denials — the compliance gate's decisions (denied ones): a collector's own requests (``actor_id``); a
  team's: those on the cases it held that day;
* kept / resolved — promises resolved in the period (kept; kept + partial + broken): a collector's are those they
  took; a team's those on the cases it held on the day of resolution.
"""
from __future__ import annotations

import datetime as dt

from concord.reports.metrics import Filters, on_cases, rows

BY = ("collector_id", "team_id")


def _owner(by: str, fact_column: str | None) -> str:
    """The owner of a fact row: the fact's own column for a collector, else the case's owner that day."""
    if by == "collector_id" and fact_column:
        return f"f.{fact_column}"
    return f"(SELECT any_value(a2.{by}) FROM accounts a2 WHERE a2.case_id = f.case_id AND a2.day = f.day)"


def counts(con, start: dt.date, end: dt.date, by: str, filters: Filters = Filters()) -> dict:
    """owner id → {contacts, complaints, requests, denials, kept, resolved}."""
    if by not in BY:
        raise ValueError(f"by: collector_id or team_id, not {by!r}")
    cond, params = on_cases(filters, "f")
    queries = {
        "contacts": (f"SELECT {_owner(by, 'collector_id')} AS k, count(*) AS n FROM contacts f "
                     f"WHERE f.day BETWEEN ? AND ? AND f.direction = 'outbound' AND {cond} GROUP BY 1", {}),
        "complaints": (f"SELECT {_owner(by, None)} AS k, count(*) AS n FROM complaints f "
                       f"WHERE f.day BETWEEN ? AND ? AND {cond} GROUP BY 1", {}),
        "requests": (f"SELECT {_owner(by, 'actor_id')} AS k, count(*) AS n, count(*) FILTER (WHERE NOT f.allowed) AS d "
                     f"FROM decisions f WHERE f.day BETWEEN ? AND ? AND {cond} GROUP BY 1", {"d": "denials"}),
        "kept": (f"SELECT {_owner(by, 'collector_id')} AS k, count(*) FILTER (WHERE f.event = 'kept') AS n, "
                 f"count(*) FILTER (WHERE f.event IN ('kept', 'partial', 'broken')) AS d FROM promises f "
                 f"WHERE f.day BETWEEN ? AND ? AND f.event <> 'made' AND {cond} GROUP BY 1", {"d": "resolved"}),
    }
    out: dict = {}
    for name, (sql, extra) in queries.items():
        for r in rows(con, sql, [start, end, *params]):
            if r["k"] is None:
                continue
            line = out.setdefault(r["k"], {"contacts": 0, "complaints": 0, "requests": 0, "denials": 0, "kept": 0,
                                           "resolved": 0})
            line[name] = r["n"]
            for col, key in extra.items():
                line[key] = r[col]
    return out


def complaint_cases(con, start: dt.date, end: dt.date, by: str, owner: int, filters: Filters = Filters()) -> list[int]:
    """The cases behind a complaints count (drill-down), in order of the first complaint."""
    cond, params = on_cases(filters, "f")
    return [r[0] for r in con.execute(
        f"""SELECT f.case_id FROM complaints f WHERE f.day BETWEEN ? AND ? AND {cond} AND {_owner(by, None)} = ?
            GROUP BY f.case_id ORDER BY min(f.day), f.case_id""", [start, end, *params, owner]).fetchall()]


def denial_cases(con, start: dt.date, end: dt.date, by: str, owner: int, filters: Filters = Filters()) -> list[int]:
    cond, params = on_cases(filters, "f")
    return [r[0] for r in con.execute(
        f"""SELECT f.case_id FROM decisions f WHERE f.day BETWEEN ? AND ? AND NOT f.allowed AND f.case_id IS NOT NULL
            AND {cond} AND {_owner(by, 'actor_id')} = ? GROUP BY f.case_id ORDER BY count(*) DESC, f.case_id""",
        [start, end, *params, owner]).fetchall()]
