"""Inbound calls: a borrower who calls back is recognised by number — the contact points' blind index, so the number
is never searched in clear — and the collector's screen opens the right case: the open case of that person the
collector works, else any open case of theirs the collector may see. A recognised caller's call is written to the
compliance ledger as an inbound contact (it counts as a conversation under the caps, with no gate decision: the
borrower called). A number nobody has is logged for follow-up."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.masking import mask_phone

from .models import InboundCall


@transaction.atomic
def receive_call(number: str, *, agent=None) -> InboundCall:
    from concord.cases.models import ACTIVE_STATUSES, Case
    from concord.cases.selectors import visible_cases
    from concord.debtors.selectors import _compact, contact_index, debtor_ids_with_contact

    compact = _compact(number)
    index = contact_index(compact)
    debtor_ids = debtor_ids_with_contact(compact)          # the phone search's blind-index lookup
    case = None
    if debtor_ids:
        open_cases = Case.objects.filter(debtor_id__in=debtor_ids, status__in=ACTIVE_STATUSES)
        if agent is not None:
            case = (open_cases.filter(assigned_collector=agent).order_by("pk").first()
                    or visible_cases(agent).filter(pk__in=open_cases.values("pk")).order_by("pk").first())
        else:
            case = open_cases.order_by("pk").first()
    call = InboundCall.objects.create(at=clock.now(), number_masked=mask_phone(number), number_index=index,
                                      agent=agent, debtor_id=case.debtor_id if case else (debtor_ids[0] if
                                                                                           debtor_ids else None),
                                      case=case)
    attempt = None
    if call.debtor_id:
        from concord.compliance.services import record_inbound_contact
        attempt = record_inbound_contact(agent or "system:telephony", debtor=call.debtor, channel="call", case=case,
                                         number=number, outcome="conversation", at=call.at, note=_("来电"))
    audit.record(agent or "system:telephony", "telephony.inbound", call,
                 {"case": case.reference if case else None, "known": bool(debtor_ids),
                  "ledger": attempt.pk if attempt else None})
    return call


def unknown_calls(limit: int = 100):
    """Calls from numbers nobody has, not yet followed up."""
    return InboundCall.objects.filter(debtor__isnull=True, followed_up_at__isnull=True)[:limit]
