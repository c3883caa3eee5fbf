"""The workbench's clock: ``now()`` is the real time unless ``settings.CONCORD_CLOCK`` (an ISO 8601 datetime with
an offset, e.g. ``2026-12-01T10:00:00+08:00``) fixes it — for demos and browser tests that must not depend on
the hour they run at. Every workbench action and the gate's ``at`` read it."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    fixed = getattr(settings, "CONCORD_CLOCK", "") or ""
    if fixed:
        value = fixed if isinstance(fixed, dt.datetime) else dt.datetime.fromisoformat(str(fixed))
        if timezone.is_naive(value):
            raise ValueError("CONCORD_CLOCK needs a UTC offset")
        return value
    return timezone.now()


def today() -> dt.date:
    return timezone.localtime(now()).date()


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
