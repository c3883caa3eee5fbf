"""Read queries of the end-of-day run, for other apps.

``queue_for(user, day)`` — the collector's contact queue for ``day`` (the day after a run's as-of date) from the
last run that made it, in order: ``QueueEntry`` rows (``position``, ``case``, ``channel``, ``priority``,
``earliest_at`` — the start of the allowed hours in the debtor's time zone, as an aware datetime). Cases that are
no longer assigned to the user are left out (reassigned by hand since the run). Used by the workbench.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet

from .models import EodRun, QueueEntry, RunStatus


def queue_for(user, day: dt.date) -> QuerySet:
    return (QueueEntry.objects.filter(collector=user, day=day, case__assigned_collector=F("collector"))
            .select_related("case", "case__debtor").order_by("position"))


def last_runs(limit: int = 20) -> QuerySet:
    return EodRun.objects.select_related("started_by").order_by("-started_at", "-id")[:limit]


def last_successful_run() -> EodRun | None:
    return EodRun.objects.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()
