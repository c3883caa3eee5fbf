"""Predictive dialing (an option; power dialing is the default): for the collectors who are free, more calls than
collectors when few calls are answered — the pacing of ``pacing.py`` from the day's calls — each one asked of the gate
first, one at a time, from the queue (no list of numbers is handed to the provider). An answered call no collector
takes is *abandoned*: the provider plays its message (option ``abandon_message``), the call counts as connected for
the caps, and once the day's abandon rate passes the target (``CONCORD_ABANDON_TARGET``, 3 % of answered calls) the
next round dials 1:1 at once.

Settings: ``CONCORD_DIALING_MODE`` (``power``, the default, or ``predictive``: what 自动连拨下一个 does),
``CONCORD_PREDICTIVE_MAX_RATIO`` (2.0 calls per free collector at most), ``CONCORD_ABANDON_TARGET`` (0.03),
``CONCORD_PREDICTIVE_MIN_SAMPLE`` (20 calls placed today before the answer rate is trusted).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from django.utils.translation import gettext as _

from concord.core import clock
from concord.core.services import require

from . import dialer
from .models import Call, CallState
from .pacing import DayCounts, Pacing, abandon_rate, calls_to_place, ratio


@dataclass
class Round:
    ratio: float
    abandon_rate: float
    wanted: int
    dialled: list = field(default_factory=list)      # dialer.Dialled, in queue order
    next_index: int = 0                              # where the next round starts in the queue


def enabled() -> bool:
    return getattr(settings, "CONCORD_DIALING_MODE", "power") == "predictive"


def configured_pacing() -> Pacing:
    return Pacing(max_ratio=float(getattr(settings, "CONCORD_PREDICTIVE_MAX_RATIO", 2.0)),
                  abandon_target=float(getattr(settings, "CONCORD_ABANDON_TARGET", 0.03)),
                  min_sample=int(getattr(settings, "CONCORD_PREDICTIVE_MIN_SAMPLE", 20)))


def day_counts(day=None) -> DayCounts:
    """Today's calls placed by the switch (local day): placed, answered (taken or abandoned), abandoned."""
    since = clock.day_start(day or clock.today())
    today = Call.objects.filter(started_at__gte=since).exclude(state=CallState.FAILED)
    answered = today.filter(result__in=("answered", "abandoned")).count() + \
        today.filter(state=CallState.ANSWERED).count()
    return DayCounts(placed=today.count(), answered=answered, abandoned=today.filter(result="abandoned").count())


def dial_round(collectors: list, case_ids: list[int], start: int = 0) -> Round:
    """One pacing round: how many calls the free collectors can take now, each asked of the gate and dialled from
    the queue (from ``start``), shared out among the free collectors in turn."""
    free = [user for user in collectors if dialer.ready(user)]
    in_flight = Call.objects.filter(agent__in=collectors, state__in=(CallState.DIALING, CallState.RINGING)).count()
    day, pacing = day_counts(), configured_pacing()
    wanted = calls_to_place(len(free), in_flight, day, pacing)
    done = Round(ratio=ratio(day, pacing), abandon_rate=abandon_rate(day), wanted=wanted, next_index=start)
    for n in range(wanted):
        step = dialer.next_allowed(free[n % len(free)], case_ids, done.next_index, mode="predictive")
        if step is None:
            done.next_index = len(case_ids)
            break
        done.dialled.append(step)
        done.next_index = step.index + 1
    return done


def collector_round(user, case_ids: list[int], start: int = 0) -> Round:
    """A round for one collector pressing 自动连拨下一个: refused while their last call is not finished."""
    require(dialer.ready(user), "dialer", _("请先结束当前通话并登记结论"))
    return dial_round([user], case_ids, start)
