"""Power dialing: when the collector is ready, the next case of their queue whose number the gate allows is dialled
— one call per free collector, the gate asked before each dial, no list of numbers handed to the provider.

``ready(user)`` — no call of theirs in flight, none waiting for its disposition, no allow waiting for its outcome.
``dial_next(user, case_ids, start)`` — from position ``start`` of the queue, ask the gate for each case's phones in
turn (each decision stored, allowed or denied); the first allowed one is dialled through the configured provider;
a case with no allowed number is skipped and released. Returns the position dialled and its decision, or None when
the queue is done.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concord.core.services import require

from .models import Call, CallState


@dataclass
class Dialled:
    index: int
    case_id: int
    decision: object
    denied: list            # the decisions that denied this case's other numbers, and the cases skipped before it


def ready(user) -> bool:
    from concord.workbench.calls import undisposed_calls, unlogged_calls

    in_flight = Call.objects.filter(agent=user, state__in=(CallState.DIALING, CallState.RINGING,
                                                           CallState.ANSWERED)).exists()
    return not in_flight and not undisposed_calls(user) and not unlogged_calls(user)


def dial_next(user, case_ids: list[int], start: int = 0) -> Dialled | None:
    require(ready(user), "dialer", _("请先结束当前通话并登记结论"))
    return next_allowed(user, case_ids, start, mode="power")


def next_allowed(user, case_ids: list[int], start: int = 0, *, mode: str) -> Dialled | None:
    """From position ``start`` of the queue, the first case with a number the gate allows now, dialled (``mode``
    passed to the switch); cases with none are skipped (their denials stored) and released."""
    from django.db import transaction

    from concord.cases.models import Case
    from concord.workbench import calls, claims
    from concord.workbench.calls import PHONE_KINDS, BAD_STATUSES

    denied = []
    for index in range(start, len(case_ids)):
        case = Case.objects.select_related("debtor").filter(pk=case_ids[index]).first()
        if case is None:
            continue
        points = list(case.debtor.contact_points.filter(kind__in=PHONE_KINDS).exclude(status__in=BAD_STATUSES)
                      .order_by("pk"))
        for point in points:
            try:
                with transaction.atomic():
                    decision = calls.start_call(user, case, contact_point=point, mode=mode)
            except ValidationError:
                continue                    # not this user's to work now (claimed by another, closed …)
            if decision.allowed:
                return Dialled(index, case.pk, decision, denied)
            denied.append(decision)
        claims.release_claim(user, case)     # nothing allowed: leave the case free for others
    return None
