"""The telephony hook. A telephony app registers its dialer (``register_dialer``): when it says a switch is
configured, an allowed call is handed to it once the decision commits (``dial``). Otherwise, when ``settings.CONCORD_TELEPHONY_URL`` is set, an allowed call asks the telephony system
to dial (click-to-dial) with one JSON POST after the decision commits; otherwise the collector dials the ``tel:``
link. A failing telephony system never undoes the decision: the failure is logged and the link still works.

Request body: ``{"agent": username, "number": digits, "case": reference, "decision": id}``; an optional
``CONCORD_TELEPHONY_TOKEN`` is sent as ``Authorization: Bearer …``; timeout ``CONCORD_TELEPHONY_TIMEOUT`` (3 s).
"""
from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)


_dialer: tuple | None = None
_case_context = None


def register_case_context(func) -> None:
    """``func(request, case, pending_decision)`` gives the case page's call card what the switch knows: the call in
    progress, the calls waiting for the collector's disposition."""
    global _case_context
    _case_context = func


def case_context(request, case, pending_decision) -> dict:
    return _case_context(request, case, pending_decision) if _case_context is not None else {}


def register_dialer(configured_func, dial_func, placed_func) -> None:
    """``configured_func()`` says whether a switch places calls; ``dial_func(actor, case, decision, number, mode=)``;
    ``placed_func(decision)`` whether the switch is placing (or placed) the call of that allow."""
    global _dialer
    _dialer = (configured_func, dial_func, placed_func)


def placed_by_switch(decision) -> bool:
    """Whether the registered switch took this allowed call to place it (its call record will log the outcome)."""
    return _dialer is not None and bool(_dialer[2](decision))


def switch() -> bool:
    return _dialer is not None and bool(_dialer[0]())


def configured() -> bool:
    return switch() or bool(getattr(settings, "CONCORD_TELEPHONY_URL", ""))


def dial(actor, case, decision, number: str, mode: str = "click") -> None:
    """After the allow commits: the registered switch places the call, or the click-to-dial URL is asked to."""
    if switch():
        _dialer[1](actor, case, decision, number, mode=mode)
    else:
        click_to_dial(agent=actor.get_username(), number=number, case=case.reference, decision=decision.pk)


def click_to_dial(*, agent: str, number: str, case: str, decision: int) -> bool:
    url = getattr(settings, "CONCORD_TELEPHONY_URL", "")
    if not url:
        return False
    body = json.dumps({"agent": agent, "number": number, "case": case, "decision": decision}).encode()
    headers = {"Content-Type": "application/json"}
    token = getattr(settings, "CONCORD_TELEPHONY_TOKEN", "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=float(getattr(settings, "CONCORD_TELEPHONY_TIMEOUT", 3))) as r:
            return 200 <= r.status < 300
    except Exception as exc:  # the telephony system is outside our transaction: report, do not fail the action
        log.warning("click-to-dial for decision %s failed: %s", decision, exc)
        return False
