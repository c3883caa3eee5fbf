"""The manager's morning numbers that come from the daily history: yesterday's cash, the month's recovery so far by
creditor, and the roll-rate alerts (a bucket rolling worse last month than on average over the 3 months before).
Built on :mod:`recovery` and :mod:`rolls` (one computation each), pure: no Django."""
from __future__ import annotations

import datetime as dt

from . import Filters, month_start, recovery, rolls

#: How many earlier months a month's roll rate is compared with.
ALERT_MONTHS = 3


def cash_on(con, day: dt.date, filters: Filters = Filters()) -> int:
    """The cash recovered on ``day`` (fen)."""
    return sum(r["recovered_fen"] for r in recovery.cash_by_day(con, day, day, filters))


def month_to_date(con, day: dt.date, filters: Filters = Filters()) -> dict[int, int]:
    """Per creditor: the cash recovered from the first of ``day``'s month to ``day`` (fen)."""
    return {r["creditor_id"]: r["recovered_fen"] or 0
            for r in recovery.by_owner(con, month_start(day), day, "creditor_id", filters)}


def _months_back(day: dt.date, n: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - n
    return dt.date(month // 12, month % 12 + 1, 1)


def roll_alerts(con, day: dt.date, filters: Filters = Filters()) -> list[dict]:
    """For the roll into the last closed month before ``day`` (from the month end before it to its month end): each
    bucket whose roll rate to the next bucket is above its average over up to ``ALERT_MONTHS`` earlier rolls (those
    with accounts in that bucket). Each alert: from/to bucket, month_end and next_month_end of the roll, rate,
    average, months averaged, accounts."""
    last_end = month_start(day) - dt.timedelta(days=1)
    start = _months_back(last_end, ALERT_MONTHS + 1)
    ends = rolls.month_ends(con, start, last_end)
    if len(ends) < 3 or month_start(ends[-1]) != month_start(last_end):
        return []  # no roll into the last closed month, or nothing before it to compare with
    latest = ends[-2]
    trend = rolls.trend(rolls.matrix(con, start, last_end, filters))
    alerts = []
    for r in (t for t in trend if t["month_end"] == latest):
        before = [t["roll_rate"] for t in trend if t["from_bucket"] == r["from_bucket"] and t["month_end"] < latest]
        if not before or r["roll_rate"] is None:
            continue
        average = round(sum(before) / len(before), 4)
        if r["roll_rate"] > average:
            alerts.append({"from_bucket": r["from_bucket"], "to_bucket": r["to_bucket"], "month_end": latest,
                           "next_month_end": ends[-1],
                           "rate": r["roll_rate"], "average": average, "months": len(before),
                           "accounts": r["accounts"]})
    return alerts
