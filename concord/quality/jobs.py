"""The sampling job (``quality.sample``): each night, the calls of the last ``days`` days (7 by default, so a
complaint or a dispute that comes in after a call still brings the call to review), at the configured rate and seed."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from concord.core import clock, jobs


@jobs.kind("quality.sample", label=gettext_lazy("质检抽样"), resumable=True)
def sample(ctx: jobs.Context) -> dict:
    from .services import sample_day

    p = ctx.params
    last = dt.date.fromisoformat(p["day"]) if p.get("day") else clock.today() - dt.timedelta(days=1)
    days = int(p.get("days") or 7)
    totals = {"calls": 0, "new": 0, "updated": 0}
    for n in range(days - 1, -1, -1):
        got = sample_day(last - dt.timedelta(days=n), rate=p.get("rate"), seed=p.get("seed"), actor=ctx.by)
        for k in totals:
            totals[k] += got[k]
    return totals


jobs.schedulable("quality_sampling", kind="quality.sample", label=gettext_lazy("质检抽样"), at="02:00")
