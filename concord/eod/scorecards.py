"""Who provides the end-of-day run's scorecard: functions called before the engine runs, with ``(as_of)``, each
returning ``None`` or ``(name, bins)`` — ``bins`` a list of ``[characteristic, lower, upper, points]`` rows, the shape
of ``data/scorecard.json`` (``lower <= x < upper``; ``None`` is an open end).

An explicit list, as :mod:`concord.eod.followers`: an app above the engine (the learned scorecards of
``concord.scoring``) adds its provider in ``AppConfig.ready()``, and :func:`concord.eod.adapter.run_eod` asks the
providers in registration order; the first that returns a scorecard scores the run's cases, through the same
compiled expressions as the expert scorecard (``rules.compile_scorecard``). Without one, the expert scorecard
applies. The run's summary names the scorecard used (``summary.scorecard``).
"""
from __future__ import annotations

import pyarrow as pa

from . import schema
from .providers import Providers

_PROVIDERS = Providers()
register, unregister = _PROVIDERS.register, _PROVIDERS.unregister
EXPERT = "expert"


def as_table(bins: list) -> pa.Table:
    """Scorecard rows as the engine's ``scorecard`` input table."""
    return schema.input_table("scorecard", bins)


def current(as_of) -> tuple[str, pa.Table | None]:
    """``(name, table)`` of the first provider's scorecard, or ``(EXPERT, None)`` (the engine's default)."""
    found = _PROVIDERS.first(as_of)
    if found is None:
        return EXPERT, None
    name, bins = found
    return name, as_table(bins)
