"""The workbench's scheduled job: reminders of the promises to pay that fall due soon."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from concord.core import clock, jobs


@jobs.kind("workbench.remind_promises", label=gettext_lazy("承诺还款提醒"), resumable=True)
def remind(ctx: jobs.Context) -> dict:
    """One reminder task per promise, made once (a second attempt makes only the missing ones)."""
    from .promises import remind_promises

    day = dt.date.fromisoformat(ctx.params.get("day") or clock.today().isoformat())
    return {"reminders": remind_promises(day, actor=ctx.by)}


jobs.schedulable("promise_reminders", kind="workbench.remind_promises", label=gettext_lazy("承诺还款提醒"),
                 at="07:00")
