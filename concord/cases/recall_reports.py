"""What a recall reports to the creditor: the promises and arrangements still open on the cases it takes back.

The apps that hold them (workbench: promises; arrangements) register a reporter at start-up (the cases app sits
below them): ``register(fn)`` with ``fn(case_ids) -> {case_id: [item, …]}``, each item a plain dict with at least
``kind`` (``promise`` or ``arrangement``), ``id``, ``amount`` (a string) and ``status``.
"""
from __future__ import annotations

from typing import Callable

_REPORTERS: list[Callable] = []


def register(fn: Callable) -> None:
    if fn not in _REPORTERS:
        _REPORTERS.append(fn)


def open_items(case_ids) -> dict[int, list[dict]]:
    case_ids = [c for c in case_ids if c is not None]
    out: dict[int, list[dict]] = {}
    if not case_ids:
        return out
    for fn in _REPORTERS:
        for case_id, items in fn(case_ids).items():
            out.setdefault(case_id, []).extend(items)
    return out
