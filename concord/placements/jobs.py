"""The scheduled end of placement periods (到期退案): each active batch past its return date is extended by
agreement or returned (retained cases kept, the others recalled), one transaction each."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from concord.core import clock, jobs


@jobs.kind("placements.end_periods", label=gettext_lazy("到期委案退案"), resumable=True, cancellable=True)
def end_periods(ctx: jobs.Context) -> dict:
    """A batch already ended is not touched again, so a second attempt goes on where the first stopped."""
    from .services import due_placements, end_period

    day = dt.date.fromisoformat(ctx.params.get("day") or clock.today().isoformat())
    due = list(due_placements(day))
    totals = {"placements": len(due), "extended": 0, "recalled": 0, "retained": 0}
    for n, placement in enumerate(due, start=1):
        if ctx.cancelled():
            raise jobs.Cancelled
        done = end_period(ctx.by, placement, on=day)
        totals["extended"] += 1 if done["extended"] else 0
        totals["recalled"] += done["recalled"]
        totals["retained"] += done["retained"]
        ctx.progress(n, len(due))
    return totals


jobs.schedulable("placement_expiry", kind="placements.end_periods", label=gettext_lazy("到期委案退案"),
                 at="01:30", enabled=False)
