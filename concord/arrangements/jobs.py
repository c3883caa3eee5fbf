"""The arrangements' scheduled job: the daily check (complete the paid, break the missed)."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from concord.core import clock, jobs


@jobs.kind("arrangements.check", label=gettext_lazy("还款方案检查"), resumable=True)
def check(ctx: jobs.Context) -> dict:
    """One transaction per arrangement; an arrangement already completed or broken is not looked at again."""
    from .tracking import check_arrangements

    day = dt.date.fromisoformat(ctx.params.get("day") or clock.today().isoformat())
    out = check_arrangements(day, actor=ctx.by)
    return {"checked": out["checked"], "completed": len(out["completed"]), "broken": len(out["broken"])}


jobs.schedulable("arrangement_checks", kind="arrangements.check", label=gettext_lazy("还款方案检查"), at="01:00")
