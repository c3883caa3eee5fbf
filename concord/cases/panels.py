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
    title: Any = ""  # the case page's index names the panel by it (default: its app's name)

    @property
    def label(self):
        if self.title:
            return self.title
        from django.apps import apps
        try:
            return apps.get_app_config(self.name).verbose_name
        except LookupError:
            return self.name


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


#: The case page's renderer, registered by the app that draws the page (the workbench). A panel's view that refuses
#: a form renders the page again through :func:`case_page` with the bound form, so what the user typed stays in the
#: form and the errors stand beside its fields; the page's script swaps in only that panel.
_PAGE: dict[str, Callable] = {}


def register_page(render: Callable) -> None:
    _PAGE["render"] = render


def bound_form(request, name: str, default=None):
    """The form ``name`` as the user submitted it (bound, with its errors) when the page is shown again after a
    refusal, else ``default``."""
    return getattr(request, "concord_bound_forms", {}).get(name, default)


def case_page(request, case, *, bound: dict | None = None, status: int = 422):
    """The case page again, with ``bound`` forms (name → bound form) in place of the empty ones."""
    request.concord_bound_forms = dict(bound or {})
    return _PAGE["render"](request, case, status=status)
