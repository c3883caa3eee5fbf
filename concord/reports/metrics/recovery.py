"""Recovery (回收率): amount recovered ÷ balance placed.

* ``by_vintage`` — per creditor and placement month: the balance placed (each account's balance on the first kept day
  on or after its placement), what its payments recovered from placement to ``end``, and the vintage points: what
  was recovered within 30, 60, 90 and 180 days of placement (None while the vintage is younger than that).
  Placements whose date falls in the period.
* ``by_placement_bucket`` — the same, per bucket at placement (the bucket on that first kept day).
* ``by_owner`` — per team or collector (``by = "team_id" | "collector_id"``): payments made on the days they owned the
  case ÷ the balance they held on the first day in the period that they held it.
* ``cash_by_day`` — the day's recovered cash in the period.
* ``accounts_behind`` — the accounts behind a number (the drill-down).
"""
from __future__ import annotations

import datetime as dt

from . import Filters, rate, rows

POINTS = (30, 60, 90, 180)


def _placed(filters: Filters) -> tuple[str, list]:
    where, params = filters.where("a")
    # the first kept day of each account on or after its placement, and its balance and bucket then
    return (f"""placed AS (
        SELECT a.account_id, a.case_id, a.creditor_id, a.placed_on, arg_min(a.balance_fen, a.day) AS placed_fen,
               arg_min(a.bucket, a.day) AS placed_bucket
        FROM accounts a WHERE a.placed_on IS NOT NULL AND a.day >= a.placed_on AND a.placed_on BETWEEN ? AND ?
          AND a.day >= ? AND {where}
        GROUP BY ALL)""", params)


def _by_placement(con, start: dt.date, end: dt.date, filters: Filters, keys: str, group: str) -> list[dict]:
    """Accounts placed in the period grouped by ``group`` (SQL over ``keys``, columns of the per-account rows):
    placed, recovered to ``end``, and the vintage points."""
    placed, params = _placed(filters)
    within = ", ".join(f"sum(CASE WHEN a.day - p.placed_on < {n} THEN a.paid_fen ELSE 0 END) AS s{n}" for n in POINTS)
    # a vintage point is known once every account of the group is that old at the end of the period
    points = ", ".join(f"CASE WHEN min(age) >= {n} THEN sum(s{n})::BIGINT END AS d{n}_fen" for n in POINTS)
    sql = f"""WITH {placed},
        per_account AS (
            SELECT p.creditor_id, p.account_id, p.placed_on, any_value(p.placed_bucket) AS placed_bucket,
                   any_value(p.placed_fen) AS placed_fen, coalesce(sum(a.paid_fen), 0) AS recovered_fen, {within}
            FROM placed p LEFT JOIN (SELECT * FROM accounts WHERE day BETWEEN ? AND ?) a
              ON a.account_id = p.account_id AND a.day BETWEEN p.placed_on AND ?
            GROUP BY p.creditor_id, p.account_id, p.placed_on)
        SELECT {group}, count(*) AS accounts,
               sum(placed_fen)::BIGINT AS placed_fen, sum(recovered_fen)::BIGINT AS recovered_fen, {points}
        FROM (SELECT *, ?::DATE - placed_on AS age FROM per_account)
        GROUP BY ALL ORDER BY {keys}"""
    # the days before the period hold no placement of it: ``a.day >= start`` (implied by day >= placed_on >= start)
    # lets DuckDB skip their files
    out = rows(con, sql, [start, end, start, *params, start, end, end, end])
    for r in out:
        r["rate"] = rate(r["recovered_fen"], r["placed_fen"])
        for n in POINTS:
            r[f"d{n}_rate"] = rate(r[f"d{n}_fen"], r["placed_fen"]) if r[f"d{n}_fen"] is not None else None
    return out


def by_vintage(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    return _by_placement(con, start, end, filters, "1, 2",
                         "creditor_id, date_trunc('month', placed_on)::DATE AS month")


def by_placement_bucket(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    """Accounts placed in the period by their bucket at placement (the bucket on the first kept day on or after the
    placement, as ``placed`` is defined): accounts, placed, recovered to ``end``, rate and the vintage points."""
    return _by_placement(con, start, end, filters, "1", "placed_bucket AS bucket")


def by_owner(con, start: dt.date, end: dt.date, by: str, filters: Filters = Filters()) -> list[dict]:
    if by not in ("team_id", "collector_id", "creditor_id"):
        raise ValueError(f"by: team_id, collector_id or creditor_id, not {by!r}")
    where, params = filters.where("a")
    sql = f"""WITH held AS (
            SELECT a.{by} AS owner, a.account_id, arg_min(a.balance_fen, a.day) AS held_fen, sum(a.paid_fen) AS paid_fen
            FROM accounts a WHERE a.day BETWEEN ? AND ? AND a.{by} IS NOT NULL AND {where} GROUP BY ALL)
        SELECT owner AS {by}, count(*) AS accounts, sum(held_fen)::BIGINT AS held_fen,
               sum(paid_fen)::BIGINT AS recovered_fen
        FROM held GROUP BY ALL ORDER BY {by}"""
    out = rows(con, sql, [start, end, *params])
    for r in out:
        r["rate"] = rate(r["recovered_fen"], r["held_fen"])
    return out


def cash_by_day(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    where, params = filters.where("a")
    return rows(con, f"""SELECT a.day, sum(a.paid_fen)::BIGINT AS recovered_fen, count(*) FILTER (WHERE a.paid_fen > 0)
                              AS paying_accounts
                         FROM accounts a WHERE a.day BETWEEN ? AND ? AND {where} GROUP BY a.day ORDER BY a.day""",
                [start, end, *params])


def accounts_behind(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    """The accounts that make up the recovery of the period: each with what it paid in it, largest first."""
    where, params = filters.where("a")
    return rows(con, f"""SELECT a.account_id, any_value(a.case_id) AS case_id, sum(a.paid_fen)::BIGINT AS recovered_fen,
                                arg_max(a.balance_fen, a.day) AS balance_fen, arg_max(a.bucket, a.day) AS bucket
                         FROM accounts a WHERE a.day BETWEEN ? AND ? AND {where}
                         GROUP BY a.account_id HAVING sum(a.paid_fen) > 0 ORDER BY recovered_fen DESC, a.account_id""",
                [start, end, *params])
