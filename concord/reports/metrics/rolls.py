"""Roll rates (迁徙率): where the accounts of each month end stood at the next month end.

States: the bucket (M0…M7+) of an open account, or ``paid_off`` (settled), ``recalled``, ``written_off`` (a recalled
account stays in the history with its status). An account not in the history at the next month end (it left the
book another way: its case was merged or removed) is left out of the matrix.
A month end is the last kept day of each calendar month in the period (the period's last day ends the last month
only if it is that month's last kept day). Only open accounts are rolled from.

* ``matrix`` — per (from month end, from state, to state): accounts, balance at the from month end, rate = share of
  the from state's accounts.
* ``trend`` — the rates of each bucket to the next (M1→M2, M2→M3 …) per month, and the cure rate (to M0 or paid off).
* ``flow_through`` — the product of the roll rates M1→M2→…→M7+ per month and the share written off.
"""
from __future__ import annotations

import datetime as dt

from . import Filters, rate, rows

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
STATES = (*BUCKETS, "paid_off", "recalled", "written_off")


def _snapshot_days(con) -> list[dt.date]:
    """The days held by ``month_end_accounts``: each compacted month's last day (store.py)."""
    return [r[0] for r in con.execute("SELECT DISTINCT day FROM month_end_accounts ORDER BY 1").fetchall()]


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_ends(con, start: dt.date, end: dt.date) -> list[dt.date]:
    """The last kept day of each month in the period. A compacted month's last day is its snapshot's day when that
    falls in the period (it is the month's latest day, so the latest in the period too); the other months are read
    from ``accounts``, each month's range on its own so that DuckDB skips the other months' files."""
    found = {d.replace(day=1): d for d in _snapshot_days(con) if start <= d <= end}
    ranges, month = [], start.replace(day=1)
    while month <= end:
        if month not in found:
            ranges.append((max(month, start), min(_next_month(month) - dt.timedelta(days=1), end)))
        month = _next_month(month)
    if ranges:
        union = " UNION ALL ".join("SELECT max(day) AS d FROM accounts WHERE day BETWEEN ? AND ?" for _ in ranges)
        found.update({d.replace(day=1): d for (d,) in con.execute(
            f"SELECT d FROM ({union})", [v for r in ranges for v in r]).fetchall() if d is not None})
    return sorted(found.values())


def _at(con, days: list[dt.date]) -> tuple[str, list]:
    """A source of the accounts rows of ``days``: the month-end snapshot for the days it holds, ``accounts`` for the
    others (the open month's daily files)."""
    snap = set(_snapshot_days(con))
    held, other = [d for d in days if d in snap], [d for d in days if d not in snap]
    parts, params = [], []
    for table, chosen in (("month_end_accounts", held), ("accounts", other)):
        if chosen:
            parts.append(f"SELECT * FROM {table} WHERE day IN ({', '.join('?' for _ in chosen)})")
            params.extend(chosen)
    return "(" + (" UNION ALL ".join(parts) or "SELECT * FROM accounts WHERE false") + ")", params


_STATE = """CASE b.status WHEN 'settled' THEN 'paid_off' WHEN 'recalled' THEN 'recalled'
                        WHEN 'written_off' THEN 'written_off' ELSE b.bucket END"""


def matrix(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    ends = month_ends(con, start, end)
    if len(ends) < 2:
        return []
    where, params = filters.where("a")
    at, at_params = _at(con, ends)
    pairs = " UNION ALL ".join("SELECT ?::DATE AS f, ?::DATE AS t" for _ in ends[1:])
    pair_params = [v for f, t in zip(ends, ends[1:]) for v in (f, t)]
    sql = f"""WITH me AS MATERIALIZED {at}, pairs AS ({pairs}),
        src AS (SELECT p.f, p.t, a.account_id, a.bucket AS from_state, a.balance_fen
                FROM pairs p JOIN me a ON a.day = p.f WHERE a.status = 'open' AND {where}),
        dst AS (SELECT s.*, {_STATE} AS to_state
                FROM src s JOIN me b ON b.day = s.t AND b.account_id = s.account_id)
        SELECT f AS month_end, t AS next_month_end, from_state AS from_bucket, to_state AS to_bucket,
               count(*) AS accounts, sum(balance_fen)::BIGINT AS balance_fen,
               sum(count(*)) OVER (PARTITION BY f, from_state) AS from_accounts
        FROM dst GROUP BY 1, 2, 3, 4"""
    out = rows(con, sql, [*at_params, *pair_params, *params])
    order = {s: n for n, s in enumerate(STATES)}
    out.sort(key=lambda r: (r["month_end"], order[r["from_bucket"]], order[r["to_bucket"]]))
    for r in out:
        r["rate"] = rate(r["accounts"], r["from_accounts"])
    return out


def trend(cells: list[dict]) -> list[dict]:
    """From ``matrix``'s rows: per month end, each bucket's roll to the next and its cure rate."""
    by_month: dict = {}
    for c in cells:
        m = by_month.setdefault(c["month_end"], {})
        m.setdefault(c["from_bucket"], {"total": c["from_accounts"], "to": {}})["to"][c["to_bucket"]] = c["accounts"]
    out = []
    for month, froms in sorted(by_month.items()):
        for a, b in zip(BUCKETS[1:-1], BUCKETS[2:]):
            f = froms.get(a)
            if not f:
                continue
            cured = f["to"].get("M0", 0) + f["to"].get("paid_off", 0)
            out.append({"month_end": month, "from_bucket": a, "to_bucket": b, "roll_rate": rate(f["to"].get(b, 0), f["total"]),
                        "cure_rate": rate(cured, f["total"]), "accounts": f["total"]})
    return out


def flow_through(cells: list[dict]) -> list[dict]:
    """Per month end: the chance an M1 account rolls all the way to M7+ (product of the rolls), and the share of every
    open account written off by the next month end."""
    out = []
    for t in _group(trend(cells)):
        product = 1.0
        complete = True
        for a, b in zip(BUCKETS[1:-1], BUCKETS[2:]):
            r = t["rolls"].get(a)
            if r is None:
                complete = False
                break
            product *= r
        month_cells = [c for c in cells if c["month_end"] == t["month_end"]]
        written = sum(c["accounts"] for c in month_cells if c["to_bucket"] == "written_off")
        total = sum(c["accounts"] for c in month_cells)
        out.append({"month_end": t["month_end"], "flow_through": round(product, 6) if complete else None,
                    "written_off_rate": rate(written, total)})
    return out


def _group(trend_rows):
    months: dict = {}
    for r in trend_rows:
        months.setdefault(r["month_end"], {})[r["from_bucket"]] = r["roll_rate"]
    return [{"month_end": m, "rolls": rolls} for m, rolls in sorted(months.items())]


def accounts_behind(con, month_end: dt.date, next_month_end: dt.date, from_bucket: str, to_bucket: str,
                    filters: Filters = Filters()) -> list[dict]:
    """The accounts of one cell of the matrix."""
    where, params = filters.where("a")
    at, at_params = _at(con, [month_end, next_month_end])
    return rows(con, f"""WITH me AS MATERIALIZED {at}
        SELECT a.account_id, a.case_id, a.balance_fen, ? AS from_bucket, ? AS to_bucket
        FROM me a JOIN me b ON b.day = ? AND b.account_id = a.account_id
        WHERE a.day = ? AND a.status = 'open' AND a.bucket = ? AND {where} AND {_STATE} = ?
        ORDER BY a.balance_fen DESC, a.account_id""",
                [*at_params, from_bucket, to_bucket, next_month_end, month_end, from_bucket, *params, to_bucket])
