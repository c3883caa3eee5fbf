"""Call activities and samples for the quality tests (tests only). Calls are written straight to the activity log,
as an import or an older version of the prohibited-word rules would have left them: the sampling reads what is there."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.cases.models import Activity


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def call(actor, case, when, outcome="conversation", note="", codes=()) -> Activity:
    return Activity.objects.create(case=case, kind="call", direction="outbound", channel="call", outcome=outcome,
                                   result_codes=list(codes), summary="电话", note=note, actor=actor, at=when)
