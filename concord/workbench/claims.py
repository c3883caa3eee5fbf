"""Claims: who is working a case right now. "Next case" takes the first unclaimed case of the user's queue by
compare-and-set — one conditional UPDATE that succeeds only if nobody else holds an unexpired claim — so two
collectors never hold one case, whatever the database's isolation level. A claim ends when it times out
(``CLAIM_MINUTES``), when its holder claims another case (moving on), or when released.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from concord.core import audit, clock

from concord.cases.models import ACTIVE_STATUSES, Case
from concord.staff.roles import Capability, may

from .policy import CLAIM_MINUTES

#: How many queue entries "next case" tries when others win the race for the first ones.
NEXT_CASE_ATTEMPTS = 20


def claim_minutes() -> int:
    return int(getattr(settings, "CONCORD_CLAIM_MINUTES", CLAIM_MINUTES))


def _free_for(user, now: dt.datetime) -> Q:
    return Q(claimed_by__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=user)


def holder(case: Case, now: dt.datetime | None = None):
    """The user holding an unexpired claim on ``case``, or None."""
    now = now or clock.now()
    if case.claimed_by_id and case.claimed_until and case.claimed_until > now:
        return case.claimed_by
    return None


def _take(user, case_id: int, now: dt.datetime) -> bool:
    """Compare-and-set: claim the case for ``user`` if it is free (or already theirs). True if won."""
    until = now + dt.timedelta(minutes=claim_minutes())
    won = (Case.objects.filter(pk=case_id, status__in=ACTIVE_STATUSES).filter(_free_for(user, now))
           .update(claimed_by=user, claimed_until=until))
    return won == 1


def _release_others(user, keep_id: int | None) -> list[int]:
    """End the user's claims on other cases; returns their ids (named in the new claim's audit event)."""
    qs = Case.objects.filter(claimed_by=user)
    if keep_id is not None:
        qs = qs.exclude(pk=keep_id)
    released = sorted(qs.values_list("pk", flat=True))
    if released:
        Case.objects.filter(pk__in=released, claimed_by=user).update(claimed_by=None, claimed_until=None)
    return released


def _check_worker(user):
    if not may(user, Capability.WORK_CASES):
        raise ValidationError({"user": [_("您的角色不能领取案件")]})


@transaction.atomic
def claim_case(user, case: Case, *, now: dt.datetime | None = None) -> Case:
    """Claim one case (or renew one's own claim); refused naming the holder when someone else holds it. The
    user's other claims end: a collector works one case at a time."""
    _check_worker(user)
    now = now or clock.now()
    if not _take(user, case.pk, now):
        case.refresh_from_db(fields=["claimed_by", "claimed_until", "status"])
        other = holder(case, now)
        if other is not None and other.pk != user.pk:
            raise ValidationError({"case": [_("案件正由 %(u)s 处理（至 %(t)s）") % {
                "u": other, "t": f"{case.claimed_until.astimezone(now.tzinfo):%H:%M}"}]})
        raise ValidationError({"case": [_("案件已结束，不能领取")]})
    released = _release_others(user, case.pk)
    case.refresh_from_db(fields=["claimed_by", "claimed_until"])
    audit.record(user, "case.claim", case, {"until": case.claimed_until.isoformat(), "released": released})
    return case


def renew_claim(user, case: Case, *, now: dt.datetime | None = None) -> bool:
    """Extend the user's own unexpired claim while they work the case (no audit event: the claim is the same)."""
    now = now or clock.now()
    until = now + dt.timedelta(minutes=claim_minutes())
    return Case.objects.filter(pk=case.pk, claimed_by=user, claimed_until__gt=now).update(claimed_until=until) == 1


def hold_while_working(user, case: Case, *, now: dt.datetime | None = None) -> None:
    """Acting on a case (a call) holds it: renew the user's claim, or claim it (refused if someone else holds it)."""
    if not renew_claim(user, case, now=now):
        claim_case(user, case, now=now)


@transaction.atomic
def release_claim(user, case: Case) -> bool:
    """End the user's claim on ``case`` (a lead or manager may end anyone's); True if there was one."""
    qs = Case.objects.filter(pk=case.pk)
    if not may(user, Capability.LEAD_TEAM):
        qs = qs.filter(claimed_by=user)
    before = qs.values_list("claimed_by_id", flat=True).first()
    done = qs.exclude(claimed_by__isnull=True).update(claimed_by=None, claimed_until=None) == 1
    if done:
        audit.record(user, "case.release", case, {"claimed_by": before})
    return done


def claim_next(user, *, now: dt.datetime | None = None) -> Case | None:
    """Claim the first case of the user's queue that nobody holds (moving on: the user's own current claim is
    skipped and ends); None when the queue is empty. Each attempt
    is its own short transaction, so a lost race simply moves on to the next case."""
    from .queues import today_queue

    _check_worker(user)
    now = now or clock.now()
    from .calls import describe_unlogged, unlogged_calls

    waiting = unlogged_calls(user, now)
    if waiting:   # a started call without its outcome counts under the caps: log it before moving on
        raise ValidationError({"call": [_("请先登记通话结果：%(c)s") % {"c": "；".join(describe_unlogged(d) for d in waiting)}]})
    tried: set[int] = set()
    for _attempt in range(NEXT_CASE_ATTEMPTS):
        candidates = (today_queue(user, now=now).exclude(pk__in=tried)
                      .exclude(claimed_until__gt=now).values_list("pk", flat=True)[:5])
        candidates = list(candidates)
        if not candidates:
            return None
        for pk in candidates:
            tried.add(pk)
            with transaction.atomic():
                if _take(user, pk, now):
                    released = _release_others(user, pk)
                    case = Case.objects.select_related("claimed_by").get(pk=pk)
                    audit.record(user, "case.claim", case, {"until": case.claimed_until.isoformat(), "next": True,
                                                            "released": released})
                    return case
    return None


def current_claims(cases_qs, now: dt.datetime | None = None):
    """Unexpired claims among ``cases_qs``: who is working what."""
    now = now or clock.now()
    return (cases_qs.filter(claimed_by__isnull=False, claimed_until__gt=now)
            .select_related("claimed_by").order_by("claimed_by__username", "claimed_until"))
