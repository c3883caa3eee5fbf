"""Who follows the end-of-day run: functions called after a run has committed successfully, with ``(run)``.

An explicit list, not a signal: an app above the engine (the reports' daily history) adds its function in
``AppConfig.ready()`` and :func:`concord.eod.adapter.run_eod` calls every function in registration order once the
run's transaction is committed. A follower that fails makes ``run_eod`` raise (the run itself stays succeeded:
its results are committed); running the same date again repeats the run and its followers.
"""
from __future__ import annotations

from typing import Callable

_FOLLOWERS: list[Callable] = []


def register(fn: Callable) -> None:
    if fn not in _FOLLOWERS:
        _FOLLOWERS.append(fn)


def run_finished(run) -> None:
    for fn in list(_FOLLOWERS):
        fn(run)
