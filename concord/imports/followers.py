"""Who follows a placement import: actions that run in each chunk's transaction after its rows are written.

An explicit, synchronous list, not a signal: an app adds its function in ``AppConfig.ready()``
(``register_placed(fn)``) and the import calls it with ``(actor, batch, case_ids)`` — the cases the chunk placed
or reopened — so that new cases are allocated at once by the allocation rules (``concord.allocation``, a layer
above the imports). A dry run calls them too, inside its rolled-back transaction.
"""
from __future__ import annotations

from typing import Callable

_PLACED: list[Callable] = []


def register_placed(fn: Callable) -> None:
    if fn not in _PLACED:
        _PLACED.append(fn)


def placed(actor, batch, case_ids) -> None:
    if not case_ids:
        return
    for fn in list(_PLACED):
        fn(actor, batch, sorted(case_ids))
