"""The cases app's scheduled job: placements past their return date go back to the creditor (退案)."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, gettext_lazy

from concord.core import clock, jobs


@jobs.kind("cases.return_expired_placements", label=gettext_lazy("到期委案退案"), resumable=True, cancellable=True)
def return_expired(ctx: jobs.Context) -> dict:
    """Each active placement whose return date is before the day is returned with its open cases, one transaction
    each (a placement already returned is not touched again, so a second attempt goes on where the first stopped)."""
    from concord.creditors.models import Placement, PlacementStatus

    from .services import recall_placement

    day = dt.date.fromisoformat(ctx.params.get("day") or clock.today().isoformat())
    due = list(Placement.objects.filter(status=PlacementStatus.ACTIVE, return_on__lt=day).order_by("id"))
    cases = 0
    for n, placement in enumerate(due, start=1):
        if ctx.cancelled():
            raise jobs.Cancelled
        cases += recall_placement(ctx.by, placement, returned=True,
                                  reason=gettext("委案到期退案（退案日期 %(d)s）") % {"d": placement.return_on})
        ctx.progress(n, len(due))
    return {"placements": len(due), "cases": cases}


jobs.schedulable("placement_expiry", kind="cases.return_expired_placements", label=gettext_lazy("到期委案退案"),
                 at="01:30", enabled=False)
