"""The operators' actions on the schedule (each audited in its transaction)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock, jobs
from concord.core.models import Job
from concord.staff.roles import Capability, require_capability

from .models import ScheduleEntry


@transaction.atomic
def set_schedule(actor, key: str, *, enabled: bool, at: dt.time, weekdays: str) -> ScheduleEntry:
    """Set when a schedulable job runs (its time of day in the book's time zone and its weekdays) or turn it off."""
    require_capability(actor, Capability.OPERATE)
    spec = jobs.SCHEDULABLE.get(key)
    if spec is None:
        raise ValidationError({"key": [_("未知的计划任务：%(k)s") % {"k": key}]})
    days = "".join(sorted(set(weekdays)))
    if any(d not in "1234567" for d in days):
        raise ValidationError({"weekdays": [_("运行日只能是 1–7（星期一至星期日）")]})
    if enabled and not days:
        raise ValidationError({"weekdays": [_("启用的计划任务至少要选一个运行日")]})
    entry = ScheduleEntry.objects.select_for_update().filter(key=key).first()
    before = ({"enabled": entry.enabled, "at": entry.at.strftime("%H:%M"), "weekdays": entry.weekdays} if entry
              else {"enabled": spec.enabled, "at": spec.at, "weekdays": "1234567"})
    if entry is None:
        entry = ScheduleEntry(key=key)
    entry.enabled, entry.at, entry.weekdays = enabled, at, days
    entry.updated_by, entry.updated_at = actor, clock.now()
    entry.save()
    after = {"enabled": enabled, "at": at.strftime("%H:%M"), "weekdays": days}
    audit.record(actor, "schedule.change", entry, {"key": key, "before": before, "after": after})
    return entry


def run_now(actor, key: str) -> Job:
    """Start a schedulable job at once, outside its schedule (for today's date)."""
    require_capability(actor, Capability.OPERATE)
    spec = jobs.SCHEDULABLE.get(key)
    if spec is None:
        raise ValidationError({"key": [_("未知的计划任务：%(k)s") % {"k": key}]})
    day = clock.today()
    params = spec.params(day) if spec.params else {"day": day.isoformat()}
    return jobs.start_job(spec.kind, params, by=actor)
