"""Who provides the end-of-day run's strategy table: functions called before the engine runs, with ``(as_of)``, each
returning ``None``, ``(name, rows)`` or ``(name, rows, arms)`` — ``rows`` lists of the ``strategy`` input table's
columns, the shape of ``data/strategy.json``'s ``rules``; ``arms`` ``(case_id, arm)`` pairs of a champion/challenger
experiment, the ``strategy_arms`` input table (arm ``n`` applies the rows numbered from ``n * rules.ARM_OFFSET``).

An explicit list, as :mod:`concord.eod.scorecards`: an app above the engine (the versioned strategies of
``concord.strategy``) adds its provider in ``AppConfig.ready()``, and :func:`concord.eod.adapter.run_eod` asks the
providers in registration order; the first that returns a strategy segments the run's cases through the same
compiled expressions as the shipped table (``rules.compile_strategy``). Without one, ``data/strategy.json``
applies. The run's summary names the strategy used (``summary.strategy``).
"""
from __future__ import annotations

from typing import Callable

import pyarrow as pa

from . import schema

_PROVIDERS: list[Callable] = []
SHIPPED = "shipped"


def register(fn: Callable) -> None:
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)


def unregister(fn: Callable) -> None:
    if fn in _PROVIDERS:
        _PROVIDERS.remove(fn)


def as_table(rows: list) -> pa.Table:
    """Strategy rows as the engine's ``strategy`` input table."""
    sch = schema.INPUT_TABLES["strategy"][0]
    cols = list(zip(*rows)) if rows else [[] for _ in sch.names]
    return pa.Table.from_arrays([pa.array(list(c), t) for c, t in zip(cols, sch.types)], schema=sch)


def arms_table(arms: list) -> pa.Table:
    sch = schema.INPUT_TABLES["strategy_arms"][0]
    cols = list(zip(*arms)) if arms else [[] for _ in sch.names]
    return pa.Table.from_arrays([pa.array(list(c), t) for c, t in zip(cols, sch.types)], schema=sch)


def current(as_of) -> tuple[str, pa.Table | None, pa.Table | None]:
    """``(name, table, arms)`` of the first provider's strategy, or ``(SHIPPED, None, None)`` (the engine's
    default, no experiment)."""
    for fn in list(_PROVIDERS):
        found = fn(as_of)
        if found is not None:
            name, rows, *arms = found
            return name, as_table(rows), arms_table(arms[0]) if arms else None
    return SHIPPED, None, None
