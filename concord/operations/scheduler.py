"""The schedule: which slot of each schedulable job is due, starting it once, and what was missed.

A *slot* is one planned run: a schedulable job at its time of day on one date, in the book's time zone (e.g. the
nightly end-of-day run at 00:30). The worker calls :func:`tick` between tasks; a due slot starts its job with the
slot's name, so a slot runs once however many workers tick (``Job.slot`` is unique). A slot whose time passed while
no worker ran is run late when one starts (the latest slot of each job only: "the day's catch-up"); older ones are
*missed* and alerted. Report subscriptions (``concord.reports.delivery``) have slots of their own, started here
too, one job per slot. Time only through ``concord.core.clock``: a test pins it and calls :func:`tick`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from concord.core import clock, jobs
from concord.core.models import Job, JobState

from .models import ScheduleEntry

LATE_AFTER = dt.timedelta(minutes=15)  # a slot started later than this was missed and caught up (alerted)
LOOK_BACK_DAYS = 7


@dataclass
class Entry:
    """A schedulable job with the operators' setting (or its defaults)."""
    spec: jobs.Schedulable
    enabled: bool
    at: dt.time
    weekdays: str
    row: ScheduleEntry | None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def label(self) -> str:
        return str(self.spec.label)


def entries() -> list[Entry]:
    rows = {r.key: r for r in ScheduleEntry.objects.select_related("updated_by")}
    out = []
    for key, spec in sorted(jobs.SCHEDULABLE.items()):
        row = rows.get(key)
        if row is not None:
            out.append(Entry(spec, row.enabled, row.at, row.weekdays, row))
        else:
            out.append(Entry(spec, spec.enabled, dt.time.fromisoformat(spec.at), "1234567", None))
    return out


def slot_name(entry: Entry, at: dt.datetime) -> str:
    return f"{entry.key}@{at.isoformat()}"


def schedule_since() -> dt.datetime | None:
    """When the schedule began to run: the first worker's start (slots before it were nobody's to run)."""
    from concord.core.models import WorkerProcess

    return WorkerProcess.objects.order_by("started_at").values_list("started_at", flat=True).first()


def slots(entry: Entry, now: dt.datetime, days: int = LOOK_BACK_DAYS,
          since: dt.datetime | None = None) -> list[tuple[dt.date, dt.datetime]]:
    """The entry's slots from ``days`` days back to ``now`` (none before ``since``), oldest first: (local date,
    instant)."""
    zone = settings.TIME_ZONE
    today = clock.local_date(now, zone)
    out = []
    for back in range(days, -1, -1):
        day = today - dt.timedelta(days=back)
        if str(day.isoweekday()) not in entry.weekdays:
            continue
        at = clock.at_time(day, entry.at, zone)
        if at <= now and (since is None or at >= since - dt.timedelta(days=1)):
            out.append((day, at))
    return out


def next_slot(entry: Entry, now: dt.datetime) -> dt.datetime | None:
    if not entry.enabled or not entry.weekdays:
        return None
    zone = settings.TIME_ZONE
    today = clock.local_date(now, zone)
    for ahead in range(0, 8):
        day = today + dt.timedelta(days=ahead)
        at = clock.at_time(day, entry.at, zone)
        if str(day.isoweekday()) in entry.weekdays and at > now:
            return at
    return None


def _params(entry: Entry, day: dt.date) -> dict:
    return entry.spec.params(day) if entry.spec.params else {"day": day.isoformat()}


def tick(now: dt.datetime | None = None) -> list[Job]:
    """Start each enabled entry's latest due slot that has no job yet. Returns the jobs started."""
    from . import alerts

    now = now or clock.now()
    since = schedule_since()
    started = []
    for entry in entries():
        if not entry.enabled:
            continue
        due = slots(entry, now)
        if not due:
            continue
        day, at = due[-1]
        name = slot_name(entry, at)
        if Job.objects.filter(slot=name).exists():
            continue
        if entry.spec.done and entry.spec.done(day):
            continue
        if not entry.spec.catch_up and now - at > LATE_AFTER:
            continue
        job = jobs.start_job(entry.spec.kind, _params(entry, day), by=None, slot=name)
        started.append(job)
        if now - at > LATE_AFTER and since is not None and at >= since:  # a worker had run, then was down
            alerts.missed(entry, at, now, job=job)
    started += report_subscriptions(now)
    alerts.check_missed(now)
    return started


def report_subscriptions(now: dt.datetime) -> list[Job]:
    """Start each report subscription's due slot (and each failed delivery's retry) once: the slot names the job."""
    from concord.reports import delivery

    return [jobs.start_job(delivery.KIND, params, by=None, slot=name) for name, params in delivery.due(now)]


@dataclass
class SlotState:
    entry: Entry
    at: dt.datetime
    job: Job | None
    state: str  # "ok", "running", "failed", "missed", "late", "done_otherwise"


def recent(now: dt.datetime | None = None, days: int = LOOK_BACK_DAYS) -> list[SlotState]:
    """Every enabled entry's slots of the last ``days`` days with what became of them, newest first."""
    now = now or clock.now()
    since = schedule_since()
    if since is None:
        return []
    out = []
    for entry in entries():
        if not entry.enabled:
            continue
        names = {}
        for day, at in slots(entry, now, days, since):
            names[slot_name(entry, at)] = (day, at)
        found = {j.slot: j for j in Job.objects.filter(slot__in=list(names))}
        for name, (day, at) in names.items():
            job = found.get(name)
            if job is None:
                if entry.spec.done and entry.spec.done(day):
                    state = "done_otherwise"
                elif now - at <= LATE_AFTER:
                    state = "due"
                else:
                    state = "missed"
            elif job.state == JobState.FAILED:
                state = "failed"
            elif job.state in (JobState.QUEUED, JobState.RUNNING):
                state = "running"
            elif job.state == JobState.CANCELLED:
                state = "cancelled"
            else:
                state = "late" if job.created_at - at > LATE_AFTER else "ok"
            out.append(SlotState(entry, at, job, state))
    out.sort(key=lambda s: s.at, reverse=True)
    return out
