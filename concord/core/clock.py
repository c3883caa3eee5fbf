"""The one clock: every module asks here for the time and nowhere else (a test fails on any other reading of the
wall clock).

``now()`` is the real time unless ``settings.CONCORD_CLOCK`` (an ISO 8601 datetime with an offset, e.g.
``2026-12-01T10:00:00+08:00``) fixes it — for demos and browser tests that must not depend on the hour they run
at. Tests pin the whole suite with time-machine instead (``concord/conftest.py``); both reach the code through
this module.

Dates are always *somewhere*: ``today()`` is the date in the project's time zone (``settings.TIME_ZONE``) unless a
zone is given — a debtor's, a creditor's — and ``local_date(at, tz)`` is the date of a given instant there.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def _zone(tz) -> dt.tzinfo:
    if tz is None:
        return timezone.get_current_timezone()
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def fixed() -> dt.datetime | None:
    """The instant ``CONCORD_CLOCK`` fixes, or None when the clock runs."""
    value = getattr(settings, "CONCORD_CLOCK", "") or ""
    if not value:
        return None
    value = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if timezone.is_naive(value):
        raise ValueError("CONCORD_CLOCK needs a UTC offset")
    return value


def now() -> dt.datetime:
    """The current instant (aware)."""
    return fixed() or timezone.now()


def today(tz=None) -> dt.date:
    """Today's date in ``tz`` (a zone name or tzinfo; default the project's zone)."""
    return local_date(now(), tz)


def local_date(at: dt.datetime, tz=None) -> dt.date:
    """The date of instant ``at`` in ``tz`` (default the project's zone)."""
    return at.astimezone(_zone(tz)).date()


def day_start(day: dt.date, tz=None) -> dt.datetime:
    """Midnight starting ``day`` in ``tz`` (default the project's zone)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=_zone(tz))


def at_time(day: dt.date, time: dt.time, tz=None) -> dt.datetime:
    """The instant of wall-clock ``time`` on ``day`` in ``tz`` (default the project's zone)."""
    return dt.datetime.combine(day, time, tzinfo=_zone(tz))


def utc_now() -> dt.datetime:
    return now().astimezone(dt.UTC)


def now_or(at: dt.datetime | None) -> dt.datetime:
    """``at`` when a caller gives the instant of an action, else now() — for services with an optional ``at``."""
    return at if at is not None else now()
