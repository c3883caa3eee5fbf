"""Panels on the case page, contributed by other apps (outreach, arrangements, legal, visits …).

An app registers a :class:`Panel` in its ``AppConfig.ready()``; the case page renders every registered panel in
``order``, each with the context its ``context(request, case)`` returns (``None`` hides the panel for this user or
case). The panel's template sees that dict as ``p``, the panel as ``panel`` and the case as ``case``
(``cases/_panel_example.html`` is the smallest one).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Panel:
    name: str  # unique; also the HTML id of the panel's section
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[panel.name] = panel


def panels_for(request, case) -> list[tuple[Panel, dict]]:
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        ctx = panel.context(request, case)
        if ctx is not None:
            out.append((panel, ctx))
    return out
