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


def month_ends(con, start: dt.date, end: dt.date) -> list[dt.date]:
    return [r[0] for r in con.execute(
        "SELECT max(day) FROM accounts WHERE day BETWEEN ? AND ? GROUP BY date_trunc('month', day) ORDER BY 1",
        [start, end]).fetchall()]


_STATE = """CASE b.status WHEN 'settled' THEN 'paid_off' WHEN 'recalled' THEN 'recalled'
                        WHEN 'written_off' THEN 'written_off' ELSE b.bucket END"""


def matrix(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    ends = month_ends(con, start, end)
    if len(ends) < 2:
        return []
    where, params = filters.where("a")
    pairs = " UNION ALL ".join("SELECT ?::DATE AS f, ?::DATE AS t" for _ in ends[1:])
    pair_params = [v for f, t in zip(ends, ends[1:]) for v in (f, t)]
    sql = f"""WITH pairs AS ({pairs}),
        src AS (SELECT p.f, p.t, a.account_id, a.bucket AS from_state, a.balance_fen
                FROM pairs p JOIN accounts a ON a.day = p.f WHERE a.status = 'open' AND {where}),
        dst AS (SELECT s.*, {_STATE} AS to_state
                FROM src s JOIN accounts b ON b.day = s.t AND b.account_id = s.account_id)
        SELECT f AS month_end, t AS next_month_end, from_state AS from_bucket, to_state AS to_bucket,
               count(*) AS accounts, sum(balance_fen)::BIGINT AS balance_fen,
               sum(count(*)) OVER (PARTITION BY f, from_state) AS from_accounts
        FROM dst GROUP BY 1, 2, 3, 4"""
    out = rows(con, sql, [*pair_params, *params])
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
    return rows(con, f"""SELECT a.account_id, a.case_id, a.balance_fen, ? AS from_bucket, ? AS to_bucket
        FROM accounts a JOIN accounts b ON b.day = ? AND b.account_id = a.account_id
        WHERE a.day = ? AND a.status = 'open' AND a.bucket = ? AND {where} AND {_STATE} = ?
        ORDER BY a.balance_fen DESC, a.account_id""",
                [from_bucket, to_bucket, next_month_end, month_end, from_bucket, *params, to_bucket])
