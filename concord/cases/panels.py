"""Panels on the case page, contributed by other apps (outreach, arrangements, legal, visits …).

An app registers a :class:`Panel` in its ``AppConfig.ready()``; the case page renders every registered panel in
``order``, each with the context its ``context(request, case)`` returns (``None`` hides the panel for this user or
case). The panel's template sees that dict as ``p``, the panel as ``panel`` and the case as ``case``
(``cases/_panel_example.html`` is the smallest one).

Before the panels run, the case page has read the borrower file once (``case_page.read_case_file``): a panel reads
``case.accounts.all()`` (with product, instalments and payments), ``case.debtor.contact_points.all()``,
``related_parties``, ``financial_profiles`` and ``assets`` from there, filtering in Python, instead of querying
them again; it builds a form only for a role its template shows it to (``case_page.form_html`` renders an empty,
unchanging form once per process and language).
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
