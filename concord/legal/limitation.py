"""The PRC limitation period for bringing a claim (诉讼时效). Pure: dates in, dates out.

- Civil Code art. 188: three years from the day the creditor knew or should have known its right was harmed.
- Art. 189: for a debt paid in instalments, from the due date of the last instalment.
- Art. 195: the period starts again when the debtor agrees to perform — a payment, a promise, a signed
  arrangement or a written acknowledgement — (and on the creditor's claim or a lawsuit, which Concord does not
  count: see docs/user-guide.md, "Legal track").
- Art. 201/202: the day of the event is not counted; a period in years ends on the corresponding day of the last
  month (the month's last day when it has no such day: 29 February → 28 February).
- Art. 203: when the last day is a statutory rest day, the period ends on the first working day after it. The CN
  calendar (``chinese_calendar``) knows the rest days of the years it covers; for a year it does not cover no
  extension is made (the stricter reading: a debt is never treated as enforceable on a guess).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

YEARS = 3


@dataclass(frozen=True)
class Limitation:
    start: dt.date | None      # the latest event that started the period
    basis: str                 # "due" | "payment" | "acknowledgement" | "" (nothing known)
    expires_on: dt.date | None  # the last day on which a claim is in time

    def barred_on(self, day: dt.date) -> bool:
        return self.expires_on is not None and day > self.expires_on


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the month's last day
        return day.replace(year=day.year + years, day=28)


def _rest_day(day: dt.date) -> bool | None:
    try:
        import chinese_calendar
        return bool(chinese_calendar.is_holiday(day))
    except (ImportError, NotImplementedError):
        return None


def last_day(start: dt.date, years: int = YEARS) -> dt.date:
    """The last day of a period of ``years`` that starts after the event on ``start`` (art. 201–203)."""
    end = add_years(start, years)
    day = end
    while _rest_day(day):
        day += dt.timedelta(days=1)
    return day


def limitation(*, last_due: dt.date | None, last_payment: dt.date | None,
               last_acknowledgement: dt.date | None) -> Limitation:
    """The period running from the latest of the last due date, the last payment and the last acknowledgement."""
    events = [(d, basis) for d, basis in ((last_due, "due"), (last_payment, "payment"),
                                          (last_acknowledgement, "acknowledgement")) if d is not None]
    if not events:
        return Limitation(None, "", None)
    start, basis = max(events, key=lambda e: e[0])
    return Limitation(start, basis, last_day(start))
