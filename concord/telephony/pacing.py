"""Predictive pacing: how many calls to place now for the collectors who are free. Pure.

The ratio of calls to free collectors follows the day's answer rate (fewer answers, more lines), never above
``max_ratio``, and falls to 1:1 at once — one call per free collector, as power dialing — when the day's abandon
rate (answered calls no collector took, over the answered calls) passes ``abandon_target`` (3 % by default), or
while the day has too few calls to know its answer rate (``min_sample``). Calls already in flight and not yet taken
by a collector count against the lines wanted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DayCounts:
    placed: int = 0         # calls the switch placed today (ended or not)
    answered: int = 0       # calls the borrower answered, taken by a collector or abandoned
    abandoned: int = 0      # answered calls no collector took


@dataclass(frozen=True)
class Pacing:
    max_ratio: float = 2.0
    abandon_target: float = 0.03
    min_sample: int = 20


def abandon_rate(day: DayCounts) -> float:
    return day.abandoned / day.answered if day.answered else 0.0


def answer_rate(day: DayCounts) -> float:
    return day.answered / day.placed if day.placed else 0.0


def ratio(day: DayCounts, pacing: Pacing = Pacing()) -> float:
    """Calls per free collector."""
    if abandon_rate(day) > pacing.abandon_target or day.placed < pacing.min_sample or day.answered == 0:
        return 1.0
    return max(1.0, min(pacing.max_ratio, 1.0 / answer_rate(day)))


def calls_to_place(free_collectors: int, in_flight: int, day: DayCounts, pacing: Pacing = Pacing()) -> int:
    """How many new calls to place now (never negative)."""
    if free_collectors <= 0:
        return 0
    wanted = math.floor(free_collectors * ratio(day, pacing) + 1e-9)
    return max(0, wanted - max(0, in_flight))
