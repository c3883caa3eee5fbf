"""The response to each channel by segment, from the daily history. Pure: no Django import.

For every delinquent case on every ``every``-th observation day t (the rows of the 30-day targets,
:mod:`concord.scoring.features`), the *treatment* is the channel of the first outbound attempt in (t, t + 7] and the
control is **no outbound attempt at all** in (t, t + 30]; cases first contacted later than day 7 are left out. The
outcome is a payment in (t, t + 30]. Per segment (the case's bucket on day t) and channel:

    rate = paid / cases,   uplift = rate(channel) − rate(none),
    95 % interval of the uplift = ± 1.96 · √(p₁(1 − p₁)/n₁ + p₀(1 − p₀)/n₀)   (normal approximation)

This is observational: the strategy chose whom to contact, so within a segment the difference still mixes who was
chosen with what the contact did. It says where a contact seems to buy payments and where it seems not to; an
uplift to act on comes from a random split (the champion/challenger of the strategies).
"""
from __future__ import annotations

import datetime as dt
import math

import duckdb

from .features import HORIZON, NoData, _case_days, last_day

TREATMENT_DAYS = 7


def channel_response(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, *, every: int = 7) -> list[dict]:
    """Rows ``segment, channel, cases, paid, rate, uplift, low, high`` (``channel`` ``none`` is the control; its
    uplift is null, as is any uplift of a segment without a control), sorted by segment and channel."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    last = last_day(con)
    if last is None:
        raise NoData("the daily history is empty")
    upto = min(end, last - dt.timedelta(days=HORIZON))
    if upto < start:
        raise NoData(f"the outcome needs {HORIZON} days after each observation day: the history ends {last}")
    days = ("SELECT DISTINCT day FROM accounts WHERE day BETWEEN $start AND $end "
            "AND date_diff('day', $start, day) % $every = 0")
    sql = f"""
    WITH f AS ({_case_days(days)}),
    first_contact AS (
      SELECT f.day, f.case_id, min(c.day) AS on_day,
             arg_min(c.channel, date_diff('day', DATE '1970-01-01', c.day) * 10000000000 + c.attempt_id) AS channel
      FROM f JOIN contacts c ON c.case_id = f.case_id AND c.direction = 'outbound'
                            AND c.day > f.day AND c.day <= f.day + {HORIZON}
      GROUP BY f.day, f.case_id),
    paid AS (SELECT DISTINCT f.day, f.case_id FROM f JOIN payments p ON p.case_id = f.case_id AND NOT p.reversed
                                              AND p.day > f.day AND p.day <= f.day + {HORIZON}),
    rows AS (
      SELECT CASE WHEN f.max_dpd <= 0 THEN 'M0' WHEN f.max_dpd > 180 THEN 'M7+'
                  ELSE 'M' || CAST((f.max_dpd - 1) // 30 + 1 AS VARCHAR) END AS segment,
             CASE WHEN fc.on_day IS NULL THEN 'none'
                  WHEN fc.on_day <= f.day + {TREATMENT_DAYS} THEN fc.channel END AS channel,
             paid.case_id IS NOT NULL AS paid
      FROM f LEFT JOIN first_contact fc USING (day, case_id) LEFT JOIN paid USING (day, case_id))
    SELECT segment, channel, count(*) AS cases, count(*) FILTER (WHERE paid) AS paid
    FROM rows WHERE channel IS NOT NULL GROUP BY segment, channel ORDER BY segment, channel"""
    found = con.sql(sql, params={"start": start, "end": upto, "every": every}).fetchall()
    control = {seg: (n, k) for seg, ch, n, k in found if ch == "none"}
    out = []
    for seg, ch, n, k in found:
        rate = k / n
        row = {"segment": seg, "channel": ch, "cases": n, "paid": k, "rate": round(rate, 4),
               "uplift": None, "low": None, "high": None}
        if ch != "none" and seg in control:
            n0, k0 = control[seg]
            r0 = k0 / n0
            half = 1.96 * math.sqrt(rate * (1 - rate) / n + r0 * (1 - r0) / n0)
            row.update(uplift=round(rate - r0, 4), low=round(rate - r0 - half, 4), high=round(rate - r0 + half, 4))
        out.append(row)
    return out
