"""Values about a case that an app above ``cases`` holds and another app shows (the message templates' variables).

An app registers a source ``(case, today) -> dict`` in its ``AppConfig.ready()`` (the workbench gives its promise as
``promise_amount`` and ``promise_date``); outreach reads :func:`case_values` when it fills a template, without
importing its sibling. A name a source leaves out has no value for that case.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

_SOURCES: list[Callable] = []


def register(source: Callable) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def case_values(case, today: dt.date) -> dict[str, str]:
    values: dict[str, str] = {}
    for source in _SOURCES:
        values.update(source(case, today) or {})
    return values
