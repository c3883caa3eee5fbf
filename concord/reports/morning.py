"""The manager's morning page: what needs attention today, from the daily history (``metrics.morning``) and from the
live tables (promises due today, complaints past half their deadline, jobs that failed overnight). What a user sees is
limited as on the report pages (a team lead: their teams' accounts and cases)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from concord.cases.selectors import visible_cases
from concord.compliance.models import OPEN_STATUSES, Complaint
from concord.core import clock
from concord.core.models import Job, JobState
from concord.creditors.models import Creditor
from concord.workbench.models import Promise, PromiseStatus

from . import capture
from .metrics import Filters
from .metrics import morning as numbers
from .targets import targets_for


def fen(amount: int | None) -> Decimal:
    return (Decimal(amount or 0) / 100).quantize(Decimal("0.01"))


@dataclass
class Morning:
    today: dt.date
    yesterday: dt.date
    kept: bool                      # the history has yesterday's day
    cash_yesterday: Decimal = Decimal("0.00")
    recovery: list[dict] = field(default_factory=list)   # per creditor: recovered, target, progress
    roll_alerts: list[dict] = field(default_factory=list)
    promises_due: list = field(default_factory=list)
    complaints_late: list = field(default_factory=list)
    failed_jobs: list = field(default_factory=list)


def recovery_against_targets(con, day: dt.date, filters: Filters) -> list[dict]:
    """Per creditor with recovery or a target this month: the month's recovery to ``day`` against its target."""
    done = numbers.month_to_date(con, day, filters)
    targets = targets_for(day)
    names = {c.pk: c for c in Creditor.objects.filter(pk__in=set(done) | set(targets))}
    out = []
    for pk in sorted(names, key=lambda p: names[p].code):
        recovered, target = fen(done.get(pk)), targets.get(pk)
        progress = round(float(recovered / target), 4) if target else None
        out.append({"creditor": names[pk], "recovered": recovered, "target": target, "progress": progress,
                    "shown": f"{progress * 100:.1f}%" if progress is not None else None})
    return out


def promises_due(user, day: dt.date):
    return (Promise.objects.filter(due_date=day, status=PromiseStatus.PENDING, case__in=visible_cases(user))
            .select_related("case", "case__debtor").order_by("case__reference"))


def complaints_past_half(user, now: dt.datetime) -> list:
    """Open complaints and disputes whose time since receipt is more than half the time they had to be resolved."""
    qs = Complaint.objects.filter(status__in=OPEN_STATUSES).select_related("case", "creditor", "owner")
    if user.case_scope != "book":
        qs = qs.filter(case__in=visible_cases(user))
    return [c for c in qs if now - c.received_at > (c.due_at - c.received_at) / 2]


def failed_overnight(today: dt.date) -> list:
    """Jobs that failed since the start of yesterday (the application's time zone)."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time()))
    return list(Job.objects.filter(state=JobState.FAILED, finished_at__gte=since).order_by("-finished_at"))


def build(user, filters: Filters) -> Morning:
    today = timezone.localdate(clock.now())
    yesterday = today - dt.timedelta(days=1)
    store = capture.store()
    page = Morning(today=today, yesterday=yesterday, kept=yesterday in store.days())
    con = store.connect()
    page.cash_yesterday = fen(numbers.cash_on(con, yesterday, filters))
    page.recovery = recovery_against_targets(con, yesterday, filters)
    page.roll_alerts = [{**a, "shown": f"{a['rate'] * 100:.2f}%", "average_shown": f"{a['average'] * 100:.2f}%"}
                        for a in numbers.roll_alerts(con, today, filters)]
    page.promises_due = list(promises_due(user, today))
    page.complaints_late = complaints_past_half(user, clock.now())
    if user.case_scope == "book":  # the jobs concern the whole book
        page.failed_jobs = failed_overnight(today)
    return page

