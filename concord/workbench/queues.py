"""The workbench's read queries: today's queue, the team queue, tasks and promises due.

``today_queue`` is the one place that orders a collector's day; when the end-of-day run writes its contact queue,
only this function changes.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Case as When_
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from concord.core import clock
from concord.core.access import own_team_ids, restrict

from concord.cases.activities import CONTACT_KINDS
from concord.cases.models import Activity, ActivityDirection, Case, CaseStatus
from .models import Promise, PromiseStatus, Task
from .policy import BROKEN_PROMISE_PRIORITY_DAYS

WORKABLE = (CaseStatus.NEW, CaseStatus.OPEN)


def my_cases(user) -> QuerySet:
    """The cases whose work is the user's: a team lead's teams' cases, anyone else's own assignments."""
    qs = Case.objects.select_related("creditor", "debtor", "assigned_collector", "assigned_team", "claimed_by")
    if user.case_scope == "team":
        return qs.filter(assigned_team_id__in=sorted(own_team_ids(user)))
    return qs.filter(assigned_collector=user)


def active_hold_q(now: dt.datetime) -> Exists:
    from concord.compliance.models import Hold

    holds = (Hold.objects.filter(debtor=OuterRef("debtor_id"), released_at__isnull=True, placed_at__lte=now)
             .filter(Q(creditor__isnull=True) | Q(creditor=OuterRef("creditor_id")))
             .filter(Q(until__isnull=True) | Q(until__gt=now)))
    return Exists(holds)


def today_queue(user, *, now: dt.datetime | None = None) -> QuerySet:
    """Today's contact queue: workable cases (not on hold, no compliance hold in force, not contacted outbound
    today), promises due or recently broken first; then the order of the end-of-day run's queue for this collector
    and day when a run made one (cases it left out follow), else the oldest bucket, then the largest balance."""
    from concord.eod.models import QueueEntry

    now = now or clock.now()
    day = timezone.localtime(now).date()
    planned = QueueEntry.objects.filter(case=OuterRef("pk"), collector=user, day=day).order_by("position")
    contacted = Activity.objects.filter(case=OuterRef("pk"), kind__in=list(CONTACT_KINDS),
                                        direction=ActivityDirection.OUTBOUND, at__gte=clock.day_start(day))
    promise_due = Promise.objects.filter(case=OuterRef("pk"), status=PromiseStatus.PENDING, due_date__lte=day)
    broken = Promise.objects.filter(case=OuterRef("pk"), status__in=[PromiseStatus.BROKEN, PromiseStatus.PARTIAL],
                                    resolved_at__gte=now - dt.timedelta(days=BROKEN_PROMISE_PRIORITY_DAYS))
    return (my_cases(user).filter(status__in=WORKABLE)
            .exclude(active_hold_q(now)).exclude(Exists(contacted))
            .annotate(priority=When_(When(Exists(promise_due), then=Value(0)), When(Exists(broken), then=Value(0)),
                                     default=Value(1), output_field=IntegerField()))
            .annotate(planned=Subquery(planned.values("position")[:1]))
            .order_by("priority", F("planned").asc(nulls_last=True), "-bucket", "-total_balance", "id"))


def team_cases(user) -> QuerySet:
    """The team queue: the active cases the user sees — a lead their teams', managers and admins every one."""
    qs = Case.objects.select_related("creditor", "debtor", "assigned_collector", "assigned_team", "claimed_by")
    qs = restrict(qs.filter(status__in=WORKABLE + (CaseStatus.ON_HOLD,)), user)
    return qs.order_by("assigned_collector__username", "-bucket", "-total_balance", "id")


def open_tasks(user, *, now: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet:
    """Open tasks of the user (a lead: also their teams' cases' tasks) due by ``until`` (end of today)."""
    now = now or clock.now()
    if until is None:
        until = clock.day_start(timezone.localtime(now).date() + dt.timedelta(days=1))
    qs = Task.objects.select_related("case", "case__debtor", "assigned_to", "promise").filter(done_at__isnull=True)
    if user.case_scope == "team":
        qs = qs.filter(Q(assigned_to=user) | Q(case__assigned_team_id__in=sorted(own_team_ids(user))))
    else:
        qs = qs.filter(assigned_to=user)
    return qs.filter(due_at__lt=until).order_by("due_at", "id")


def promises_due(user, day: dt.date) -> QuerySet:
    return (Promise.objects.select_related("case", "case__debtor")
            .filter(case__in=my_cases(user).values("pk"), status=PromiseStatus.PENDING, due_date=day).order_by("case_id"))
