"""The activity log (催记): one door for writing it.

Every action on a case (a call's disposition, a message, a letter, a promise, an arrangement, a visit, a legal step,
a note) calls :func:`log_activity` inside its own transaction, so the entry commits or rolls back with the action.
A note is checked for prohibited content (threats, insults, impersonation, disclosure …) and refused with the
findings named; an outbound contact must carry the stored compliance decision that allowed it.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock

from .models import Activity, ActivityDirection, ActivityKind

CONTACT_KINDS = {ActivityKind.CALL, ActivityKind.SMS, ActivityKind.EMAIL, ActivityKind.LETTER, ActivityKind.VISIT}


def check_note(note: str, *, field: str = "note", third_party: bool = False) -> None:
    """ValidationError on ``field`` naming each prohibited phrase the text contains (zh and en rules)."""
    from concord.compliance import content

    findings = content.check(note or "", third_party=third_party)
    if findings:
        raise ValidationError({field: [_("内容不合规：%(f)s") % {"f": content.summary(findings, "zh")}]})


@transaction.atomic
def log_activity(actor, case, *, kind: str, summary: str, at: dt.datetime | None = None, channel: str = "",
                 direction: str = ActivityDirection.INTERNAL, related_party=None, outcome: str = "",
                 result_codes: Iterable[str] = (), note: str = "", details: dict | None = None,
                 decision=None) -> Activity:
    """Append one entry to the case's activity log, with its audit event, in the caller's transaction."""
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": [_("未知的催记类型：%(k)s") % {"k": kind}]})
    if direction not in ActivityDirection.values:
        raise ValidationError({"direction": [_("未知的方向：%(d)s") % {"d": direction}]})
    if kind in CONTACT_KINDS and direction == ActivityDirection.OUTBOUND:
        if decision is None or not decision.allowed:
            raise ValidationError({"decision": [_("外呼/外发联系必须有合规闸门的放行决定")]})
        if decision.case_id not in (None, case.pk):
            raise ValidationError({"decision": [_("合规决定不属于该案件")]})
    if related_party is not None and related_party.debtor_id != case.debtor_id:
        raise ValidationError({"related_party": [_("关联人不属于该案件的债务人")]})
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("摘要不能为空")]})
    check_note(note, third_party=False)
    activity = Activity.objects.create(
        case=case, kind=kind, direction=direction, channel=channel, related_party=related_party, outcome=outcome,
        result_codes=list(result_codes), summary=summary[:200], note=note, details=details or {},
        decision=decision, actor=actor if getattr(actor, "pk", None) else None, at=at or clock.now())
    audit.record(actor, f"activity.{kind}", activity, {"case": case.reference, "summary": activity.summary,
                                                        "outcome": outcome, "decision": getattr(decision, "pk", None)})
    return activity


@transaction.atomic
def purge_notes(actor, case_ids: Iterable[int], *, reason: str) -> int:
    """Empty the free-text notes of the activities of ended cases whose personal data's retention has ended (a
    note may hold anything a person said); the activities stay — kind, time, outcome, result codes. Records the
    count as ``activity.purge``."""
    case_ids = list(case_ids)
    count = Activity.objects.filter(case_id__in=case_ids).exclude(note="").update(note="")
    audit.record(actor, "activity.purge", None, {"cases": case_ids, "notes": count, "reason": reason[:200]},
                 object_type="cases.case", object_id=",".join(map(str, case_ids))[:64])
    return count
