"""When a report subscription is due and which period each delivery covers (pure: dates only, no Django).

A subscription is due on *slot dates*: every day (daily), one weekday of each week (weekly, 1 = Monday … 7 = Sunday)
or one day of each month (monthly, 1–28 so that every month has it). Its period is counted back from the slot date:
the days before it, because the daily history keeps a day once the night's run has finished.

| rule | period for a slot on date D |
|---|---|
| yesterday | D-1 … D-1 |
| last_7_days | D-7 … D-1 |
| last_30_days | D-30 … D-1 |
| last_week | Monday … Sunday of the week before D's week |
| last_month | the first … the last day of the month before D's month |
| month_to_date | the first day of (D-1)'s month … D-1 (on the 1st: the whole of last month) |
"""
from __future__ import annotations

import datetime as dt

FREQUENCIES = ("daily", "weekly", "monthly")
PERIODS = ("yesterday", "last_7_days", "last_30_days", "last_week", "last_month", "month_to_date")
MAX_MONTH_DAY = 28


def is_slot_date(day: dt.date, frequency: str, weekday: int | None = None, month_day: int | None = None) -> bool:
    if frequency == "daily":
        return True
    if frequency == "weekly":
        return day.isoweekday() == weekday
    if frequency == "monthly":
        return day.day == month_day
    raise ValueError(f"frequency: one of {FREQUENCIES}, not {frequency!r}")


def latest_slot_date(today: dt.date, frequency: str, weekday: int | None = None,
                     month_day: int | None = None) -> dt.date:
    """The last slot date on or before ``today``."""
    if frequency == "daily":
        return today
    if frequency == "weekly":
        return today - dt.timedelta(days=(today.isoweekday() - weekday) % 7)
    if frequency == "monthly":
        if today.day >= month_day:
            return today.replace(day=month_day)
        previous = today.replace(day=1) - dt.timedelta(days=1)
        return previous.replace(day=month_day)
    raise ValueError(f"frequency: one of {FREQUENCIES}, not {frequency!r}")


def next_slot_date(after: dt.date, frequency: str, weekday: int | None = None, month_day: int | None = None) -> dt.date:
    """The first slot date strictly after ``after``."""
    day = after + dt.timedelta(days=1)
    for _ in range(62):
        if is_slot_date(day, frequency, weekday, month_day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError("no slot date within two months")  # pragma: no cover — every rule has one within 31 days


def period(rule: str, slot_date: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) that a delivery on ``slot_date`` covers."""
    yesterday = slot_date - dt.timedelta(days=1)
    if rule == "yesterday":
        return yesterday, yesterday
    if rule == "last_7_days":
        return slot_date - dt.timedelta(days=7), yesterday
    if rule == "last_30_days":
        return slot_date - dt.timedelta(days=30), yesterday
    if rule == "last_week":
        monday = slot_date - dt.timedelta(days=slot_date.isoweekday() - 1) - dt.timedelta(days=7)
        return monday, monday + dt.timedelta(days=6)
    if rule == "last_month":
        last = slot_date.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if rule == "month_to_date":
        return yesterday.replace(day=1), yesterday
    raise ValueError(f"period: one of {PERIODS}, not {rule!r}")
