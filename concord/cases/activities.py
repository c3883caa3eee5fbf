"""The activity log (催记): one door for writing it.

Every action on a case (a call's disposition, a message, a letter, a promise, an arrangement, a visit, a legal step,
a note) calls :func:`log_activity` inside its own transaction, so the entry commits or rolls back with the action.
A note is checked for prohibited content (threats, insults, impersonation, disclosure …) and refused with the
findings named; an outbound contact must carry the stored compliance decision that allowed it.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from django.utils.translation import gettext_lazy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from concord.core import audit, clock

from .models import Activity, ActivityDirection, ActivityKind

OTHER_OUTCOMES = {"sent": gettext_lazy("已发出"), "queued": gettext_lazy("待发送")}
CONTACT_KINDS = {ActivityKind.CALL, ActivityKind.SMS, ActivityKind.EMAIL, ActivityKind.LETTER, ActivityKind.VISIT}


def check_note(note: str, *, field: str = "note", third_party: bool = False) -> None:
    """ValidationError on ``field`` naming each prohibited phrase the text contains (zh and en rules)."""
    from concord.compliance import content

    findings = content.check(note or "", third_party=third_party)
    if findings:
        lang = "zh" if (get_language() or "zh").startswith("zh") else "en"
        raise ValidationError({field: [_("内容不合规：%(f)s") % {"f": content.summary(findings, lang)}]})


@transaction.atomic
def log_activity(actor, case, *, kind: str, summary: str = "", at: dt.datetime | None = None, channel: str = "",
                 direction: str = ActivityDirection.INTERNAL, related_party=None, outcome: str = "",
                 result_codes: Iterable[str] = (), note: str = "", details: dict | None = None,
                 decision=None, phrase: tuple[str, dict] | None = None) -> Activity:
    """Append one entry to the case's activity log, with its audit event, in the caller's transaction.

    ``phrase``: a generated summary as a registered phrase's code and its arguments (:func:`register_phrases`),
    stored in ``details`` so the log says it in the reader's language; ``summary`` is then that phrase in the
    writer's language (what the audit trail and exports keep)."""
    if phrase is not None:
        code, args = phrase
        details = {**(details or {}), "phrase": {"code": code, "args": {k: _plain(v) for k, v in args.items()}}}
        summary = summary or say_phrase(code, details["phrase"]["args"])
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


#: Summaries said again in the reader's language: an app that writes an activity from structured details (a call's
#: outcome and result codes, a promise's amount and date, a message's template and status) registers how to say it
#: (``register_summary(kind, function)``), so English readers do not see the Chinese text stored when it was written.
_SUMMARIES: dict[str, Callable] = {}


def register_summary(kind: str, say: Callable) -> None:
    _SUMMARIES[kind] = say


def summary_text(activity) -> str:
    said = (activity.details or {}).get("phrase")
    if isinstance(said, dict) and said.get("code") in _PHRASES:
        try:
            return say_phrase(said["code"], said.get("args") or {})
        except (KeyError, TypeError, ValueError):
            pass
    say = _SUMMARIES.get(activity.kind)
    if say is not None:
        try:
            text = say(activity)
        except (KeyError, TypeError, ValueError):
            text = None
        if text:
            return text
    return activity.summary


#: Generated summaries by code (``legal.enter``, ``visit.schedule`` …): each app registers its phrases in
#: ``AppConfig.ready()`` as ``code → (message, {argument: how to say it})``, the message a lazy translation with
#: ``%(name)s`` placeholders and each "how" a function of the stored value (a choice's label, an amount with
#: separators: ``concord_format.amount``); an argument without one is shown as stored (dates, numbers, names of people).
_PHRASES: dict[str, tuple] = {}


def register_phrases(phrases: dict[str, tuple]) -> None:
    _PHRASES.update(phrases)


def say_phrase(code: str, args: dict) -> str:
    message, shows = _PHRASES[code]
    return str(message) % {k: (shows[k](v) if k in shows else v) for k, v in args.items()}


def label_of(choices) -> Callable[[str], str]:
    """How to say a stored choice: its label in the reader's language (the code itself if it is no longer one)."""
    def say(value):
        return str(choices(value).label) if value in choices.values else str(value)
    return say


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)   # a choice's code, not the enum member
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):   # the arguments of a phrase inside a phrase
        return {k: _plain(v) for k, v in value.items()}
    return str(value)


def outcome_label(activity) -> str:
    """The outcome in words (接通通话, 已送达 …), never its code."""
    from concord.compliance.models import Outcome

    code = activity.outcome
    if not code:
        return ""
    if code in Outcome.values:
        return str(Outcome(code).label)
    return str(OTHER_OUTCOMES.get(code, code))
