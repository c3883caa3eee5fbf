"""The cases behind a number (drill-down): each function returns the case ids, in a stable order."""
from __future__ import annotations

import datetime as dt

from . import Filters, on_cases
from . import rolls as _rolls


def _ids(con, sql, params) -> list[int]:
    return [r[0] for r in con.execute(sql, params).fetchall()]


def paying(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[int]:
    """Cases with a payment in the period (recovered cash, by owner or in total)."""
    where, params = filters.where("a")
    return _ids(con, f"""SELECT a.case_id FROM accounts a WHERE a.day BETWEEN ? AND ? AND a.paid_fen > 0 AND {where}
                         GROUP BY a.case_id ORDER BY sum(a.paid_fen) DESC, a.case_id""", [start, end, *params])


def vintage(con, month: dt.date, end: dt.date, filters: Filters = Filters()) -> list[int]:
    """Cases placed in ``month`` (a vintage), those that paid most first."""
    where, params = filters.where("a")
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return _ids(con, f"""SELECT a.case_id FROM accounts a
                         WHERE a.placed_on >= ? AND a.placed_on < ? AND a.day BETWEEN a.placed_on AND ? AND {where}
                         GROUP BY a.case_id ORDER BY sum(a.paid_fen) DESC, a.case_id""", [month, nxt, end, *params])


def placement_bucket(con, start: dt.date, end: dt.date, bucket: str, filters: Filters = Filters()) -> list[int]:
    """Cases with an account placed in the period that was in ``bucket`` on its first kept day on or after the
    placement (``recovery.by_placement_bucket``), those that paid most first."""
    where, params = filters.where("a")
    return _ids(con, f"""WITH placed AS (
                             SELECT a.account_id, any_value(a.case_id) AS case_id, a.placed_on,
                                    arg_min(a.bucket, a.day) AS placed_bucket
                             FROM accounts a WHERE a.placed_on IS NOT NULL AND a.day >= a.placed_on
                               AND a.placed_on BETWEEN ? AND ? AND {where} GROUP BY a.account_id, a.placed_on)
                         SELECT p.case_id FROM placed p
                         LEFT JOIN accounts a ON a.account_id = p.account_id AND a.day BETWEEN p.placed_on AND ?
                         WHERE p.placed_bucket = ?
                         GROUP BY p.case_id ORDER BY coalesce(sum(a.paid_fen), 0) DESC, p.case_id""",
                [start, end, *params, end, bucket])


def roll(con, month_end: dt.date, next_month_end: dt.date, from_bucket: str, to_bucket: str,
         filters: Filters = Filters()) -> list[int]:
    rows = _rolls.accounts_behind(con, month_end, next_month_end, from_bucket, to_bucket, filters)
    return list(dict.fromkeys(r["case_id"] for r in rows))


def promised(con, start: dt.date, end: dt.date, event: str | None, collector_id: int | None,
             filters: Filters = Filters()) -> list[int]:
    cond, params = on_cases(filters, "f", start, end)
    extra, more = "", []
    if event:
        extra += " AND f.event = ?"
        more.append(event)
    if collector_id:
        extra += " AND f.collector_id = ?"
        more.append(collector_id)
    return _ids(con, f"""SELECT f.case_id FROM promises f WHERE f.day BETWEEN ? AND ? AND {cond}{extra}
                         GROUP BY f.case_id ORDER BY min(f.day), f.case_id""", [start, end, *params, *more])


def contacted(con, start: dt.date, end: dt.date, channel: str | None, filters: Filters = Filters()) -> list[int]:
    cond, params = on_cases(filters, "f", start, end)
    extra, more = ("", []) if not channel else (" AND f.channel = ?", [channel])
    return _ids(con, f"""SELECT f.case_id FROM contacts f WHERE f.day BETWEEN ? AND ? AND f.case_id IS NOT NULL
                         AND f.direction = 'outbound' AND {cond}{extra}
                         GROUP BY f.case_id ORDER BY count(*) DESC, f.case_id""", [start, end, *params, *more])
