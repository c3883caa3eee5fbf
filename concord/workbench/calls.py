"""Calls: choose a number (the gate decides before dialling), then log the disposition.

``start_call`` stores the gate's decision for one number (allowed or denied) and, when allowed and a telephony
system is configured, asks it to dial. ``log_call`` records the disposition under that allow in one transaction:
the compliance ledger row, the activity (催记), the recording, and what the result codes set in motion — a promise,
a dispute (a complaint of kind dispute, which holds collection), a callback task, a payment to verify, a number
marked as reaching the wrong party.
"""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, clock, sealed
from concord.core.services import require

from . import telephony
from concord.cases.activities import check_note, log_activity
from .claims import hold_while_working, holder
from concord.cases.models import ACTIVE_STATUSES
from concord.staff.roles import Capability, may
from .models import CallRecording, TaskKind
from .policy import (
    CALL_OUTCOMES,
    LIABLE_CODES,
    RESULT_CODES,
    add_years,
    retention_years,
)

PHONE_KINDS = ("mobile", "landline")
BAD_STATUSES = ("invalid", "wrong_party", "do_not_contact")
THIRD_PARTY_CODES = {"callback", "wrong_party"}
RECORDING_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
                   ".amr": "audio/amr", ".webm": "audio/webm"}
RECORDING_MAX_BYTES = 50 * 1024 * 1024
MAX_DURATION = 4 * 3600


def recordings_dir() -> Path:
    return Path(settings.DATA_DIR) / "recordings"


def _check_worker(actor, case):
    if not may(actor, Capability.WORK_CASES):
        raise ValidationError({"user": [_("您的角色不能联系债务人")]})
    require(case.status in ACTIVE_STATUSES, "case", _("案件已结束，不能联系"))
    other = holder(case)
    if other is not None and other.pk != actor.pk:
        raise ValidationError({"case": [_("案件正由 %(u)s 处理，请选择其他案件") % {"u": other}]})


def _target(case, contact_point=None, related_party=None):
    """(number, purpose) of the chosen target, checked to belong to the case's debtor."""
    if contact_point is not None:
        require(contact_point.debtor_id == case.debtor_id, "target", _("该号码不属于此案件的债务人"))
        require(contact_point.kind in PHONE_KINDS, "target", _("该联系方式不是电话号码"))
        require(contact_point.status not in BAD_STATUSES, "target",
                _("该号码状态为“%(s)s”，不能拨打") % {"s": contact_point.get_status_display()})
        return contact_point.value, "collection"
    require(related_party is not None, "target", _("请选择要拨打的号码"))
    require(related_party.debtor_id == case.debtor_id, "target", _("该关联人不属于此案件的债务人"))
    require(bool(related_party.phone), "target", _("该关联人没有电话号码"))
    return related_party.phone, ("collection" if related_party.is_liable else "location")


@transaction.atomic
def start_call(actor, case, *, contact_point=None, related_party=None, mode: str = "click"):
    """Ask the gate about one call now and store its decision (allowed or denied). When allowed and a telephony
    system is configured, it is asked to dial once the decision is committed (``mode``: ``click``, ``power`` or
    ``predictive``, passed to the switch)."""
    from concord.compliance.services import decide_contact

    _check_worker(actor, case)
    number, purpose = _target(case, contact_point, related_party)
    hold_while_working(actor, case)          # calling a case holds it: nobody else works it meanwhile
    decision = decide_contact(actor, case=case, channel="call", purpose=purpose, related_party=related_party,
                              number=number, at=clock.now())
    if decision.allowed and telephony.configured():
        digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        transaction.on_commit(lambda: telephony.dial(actor, case, decision, digits, mode=mode))
    return decision


def _contact_point_of(case, decision):
    """The debtor's phone that the decision was about (by the gate's number token), if any."""
    from concord.compliance import live

    if decision.party_kind != "debtor" or not decision.number_key:
        return None
    for point in case.debtor.contact_points.filter(kind__in=PHONE_KINDS):
        if live.number_token(point.value) == decision.number_key:
            return point
    return None


def _check_codes(decision, outcome: str, codes: list[str]) -> None:
    unknown = [c for c in codes if c not in RESULT_CODES]
    require(not unknown, "result_codes", _("未知结果代码：%(c)s") % {"c": ", ".join(unknown)})
    if outcome == "conversation":
        allowed = set(RESULT_CODES)
    elif outcome == "third_party":
        allowed = THIRD_PARTY_CODES
    else:
        allowed = set()
    bad = [c for c in codes if c not in allowed]
    require(not bad, "result_codes", _("结果“%(o)s”不能带结果代码：%(c)s") % {"o": outcome, "c": ", ".join(bad)})
    if set(codes) & LIABLE_CODES and decision.related_party_id and not decision.related_party.is_liable:
        raise ValidationError({"result_codes": [_("第三方不承担还款责任：承诺、异议、困难等只能与债务人或担保人登记")]})


def _rekey(exc: ValidationError, prefix: str) -> ValidationError:
    return ValidationError({f"{prefix}_{k}": v for k, v in exc.message_dict.items()})


def _check_disposition(decision, outcome, result_codes, note, promise_amount, promise_date, callback_at,
                       dispute_summary):
    """(codes, note, dispute text) of a disposition, checked: the codes the outcome allows, a clean note, what each
    code needs (a promise's amount and date, a callback's time, a dispute's content)."""
    codes = list(dict.fromkeys(result_codes or ()))
    _check_codes(decision, outcome, codes)
    note = (note or "").strip()
    check_note(note, third_party=outcome == "third_party")
    if "promise" in codes:
        require(promise_amount not in (None, "") and promise_date is not None, "promise_amount",
                _("结果为“承诺还款”时须填写承诺金额和日期"))
    if "callback" in codes:
        require(callback_at is not None, "callback_at", _("结果为“约定回电”时须填写回电时间"))
    dispute_text = (dispute_summary or "").strip() or note
    if "dispute" in codes:
        require(bool(dispute_text), "dispute_summary", _("结果为“异议”时须写明异议内容"))
    return codes, note, dispute_text


@transaction.atomic
def dispose_call(actor, activity, *, result_codes=(), note: str = "", promise_amount=None,
                 promise_date: dt.date | None = None, callback_at: dt.datetime | None = None,
                 dispute_summary: str = ""):
    """The collector's part of a call the telephony system logged: the disposition (result codes) and the note,
    added to the activity written from the call record, with what the codes set in motion. Once per call."""
    from concord.cases.models import Activity

    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    case, decision = activity.case, activity.decision
    _check_worker(actor, case)
    require(activity.kind == "call" and decision is not None and (activity.details or {}).get("disposition")
            == "pending", "activity", _("该通话无需或已登记结果"))
    require(decision.actor_id == actor.pk, "activity", _("只能登记自己拨打的通话"))
    codes, note, dispute_text = _check_disposition(decision, activity.outcome, result_codes, note, promise_amount,
                                                   promise_date, callback_at, dispute_summary)
    now = clock.now()
    hold_while_working(actor, case)
    activity.result_codes = codes
    activity.note = note
    activity.details = {**activity.details, "disposition": "done"}
    if codes:
        code_labels = dict(result_code_labels())
        activity.summary = (activity.summary + " · " + "、".join(str(code_labels[c]) for c in codes))[:200]
    activity.save(update_fields=["result_codes", "note", "details", "summary"])
    audit.record(actor, "activity.disposition", activity, {"case": case.reference, "codes": codes})
    _apply_codes(actor, case, decision, activity, codes, outcome=activity.outcome, promise_amount=promise_amount,
                 promise_date=promise_date, callback_at=callback_at, dispute_text=dispute_text, now=now)
    return activity


def undisposed_calls(user) -> list:
    """The user's answered calls, logged by the telephony system, still without their disposition."""
    from concord.cases.models import Activity

    return list(Activity.objects.filter(actor=user, kind="call", details__disposition="pending")
                .select_related("case").order_by("at", "id")[:20])


@transaction.atomic
def log_call(actor, case, decision, *, outcome: str, result_codes=(), duration_seconds: int = 0, note: str = "",
             recording=None, recording_ref: str = "", promise_amount=None, promise_date: dt.date | None = None,
             callback_at: dt.datetime | None = None, dispute_summary: str = ""):
    """Record a call's disposition under the allow ``decision``; returns the activity. All or nothing."""
    from concord.compliance.services import record_contact_outcome

    _check_worker(actor, case)
    require(decision.case_id == case.pk and decision.channel == "call", "decision", _("该放行决定不属于此案件的电话"))
    require(decision.actor_id == actor.pk, "decision", _("只能登记自己申请的放行决定"))
    require(outcome in CALL_OUTCOMES, "outcome", _("请选择通话结果"))
    require(isinstance(duration_seconds, int) and 0 <= duration_seconds <= MAX_DURATION, "duration_seconds",
            _("通话时长必须在 0 到 %(n)d 秒之间") % {"n": MAX_DURATION})
    codes, note, dispute_text = _check_disposition(decision, outcome, result_codes, note, promise_amount,
                                                   promise_date, callback_at, dispute_summary)
    recording_ref = (recording_ref or "").strip()
    require(len(recording_ref) <= 120, "recording_ref", _("录音编号不能超过 120 个字符"))
    suffix = _check_recording(recording)
    now = clock.now()
    # hold the case first: every audit record below takes the audit chain's lock until this transaction commits,
    # so nothing but this call's own rows is written after the first one
    hold_while_working(actor, case)

    record_contact_outcome(actor, decision, outcome=outcome, at=now, note=note[:500])
    labels = dict(_outcome_labels())
    summary = _("电话 %(n)s：%(o)s") % {"n": decision.number_masked or "—", "o": labels.get(outcome, outcome)}
    if codes:
        code_labels = dict(result_code_labels())
        summary += " · " + "、".join(str(code_labels[c]) for c in codes)
    activity = log_activity(actor, case, kind="call", direction="outbound", channel="call", at=now,
                            related_party=decision.related_party, outcome=outcome, result_codes=codes, note=note,
                            summary=summary, decision=decision,
                            details={"duration_seconds": duration_seconds, "number": decision.number_masked})
    _apply_codes(actor, case, decision, activity, codes, outcome=outcome, promise_amount=promise_amount,
                 promise_date=promise_date, callback_at=callback_at, dispute_text=dispute_text, now=now)
    if suffix or recording_ref:
        _store_recording(actor, case, activity, recording, suffix, recording_ref, now)
    return activity


def _apply_codes(actor, case, decision, activity, codes, *, outcome, promise_amount, promise_date, callback_at,
                 dispute_text, now):
    """What a call's result codes set in motion: a promise, a callback task, a payment to verify, a dispute, a number
    marked as reaching the wrong party."""
    from concord.compliance.services import open_complaint
    from concord.debtors.services import set_contact_status

    if "promise" in codes:
        from .promises import record_promise
        try:
            with transaction.atomic():
                record_promise(actor, case, amount=promise_amount, due_date=promise_date, activity=activity)
        except ValidationError as exc:
            raise _rekey(exc, "promise") from None
    if "callback" in codes:
        from .followups import create_task
        try:
            with transaction.atomic():
                create_task(actor, case, kind=TaskKind.CALLBACK, due_at=callback_at, log=False,
                            title=_("约定回电 %(n)s") % {"n": decision.number_masked or ""})
        except ValidationError as exc:
            raise ValidationError({"callback_at": exc.messages}) from None
    if "already_paid" in codes:
        from .followups import create_task
        create_task(actor, case, kind=TaskKind.VERIFY_PAYMENT, due_at=now + dt.timedelta(days=1), log=False,
                    title=_("核实债务人所称已还款"))
    if "dispute" in codes:
        open_complaint(actor, debtor=case.debtor, creditor=case.creditor, case=case, kind="dispute",
                       source="phone", category="amount" if "already_paid" in codes else "other",
                       summary=dispute_text[:500], received_at=now)
    if outcome == "wrong_number" or "wrong_party" in codes:
        point = _contact_point_of(case, decision)
        if point is not None and point.status != "wrong_party":
            set_contact_status(actor, point, "wrong_party")


def _check_recording(recording) -> str:
    if recording is None:
        return ""
    suffix = Path(getattr(recording, "name", "") or "").suffix.lower()
    require(suffix in RECORDING_TYPES, "recording",
            _("录音格式不支持（可用：%(t)s）") % {"t": " ".join(sorted(RECORDING_TYPES))})
    size = getattr(recording, "size", None) or 0
    require(0 < size <= RECORDING_MAX_BYTES, "recording", _("录音文件为空或超过 50 MB"))
    return suffix


def _store_recording(actor, case, activity, upload, suffix, reference, now):
    from concord.loans.models import LoanAccount

    kinds = set(LoanAccount.objects.filter(case=case).values_list("product__kind", flat=True))
    keep_until = add_years(timezone.localtime(now).date(), retention_years(case.creditor.policy_pack, kinds))
    rel = ""
    if upload is not None:
        rel = f"{case.pk}/{activity.pk}-{uuid.uuid4().hex}{suffix}"
        target = recordings_dir() / rel
        sealed.private_dir(target.parent)
        with sealed.SealedWriter(target) as out:  # encrypted at rest under the PII key, mode 0600
            for chunk in upload.chunks():
                out.write(chunk)
    try:
        rec = CallRecording.objects.create(case=case, activity=activity, path=rel, reference=reference,
                                           content_type=RECORDING_TYPES.get(suffix, ""),
                                           size=getattr(upload, "size", 0) or 0, retain_until=keep_until)
        audit.record(actor, "recording.store", rec, {"case": case.reference, "activity": activity.pk,
                                                     "reference": reference, "retain_until": str(keep_until)})
    except Exception:
        if rel:
            (recordings_dir() / rel).unlink(missing_ok=True)
        raise
    return rec


def open_recording(actor, recording: CallRecording) -> Path | None:
    """The recording's file for playback by an allowed role; every playback is audited. None for a telephony
    reference (played in the telephony system)."""
    if not may(actor, Capability.PLAY_RECORDINGS):
        raise ValidationError({"recording": [_("您的角色无权播放录音")]})
    with transaction.atomic():
        audit.record(actor, "recording.play", recording, {"case": recording.case.reference,
                                                          "activity": recording.activity_id})
    if not recording.path:
        return None
    path = (recordings_dir() / recording.path).resolve()
    require(recordings_dir().resolve() in path.parents and path.exists(), "recording", _("录音文件不存在"))
    return path


def _outcome_labels():
    from concord.compliance.models import Outcome
    return [(o, Outcome(o).label) for o in CALL_OUTCOMES]


def result_code_labels():
    return [("promise", _("承诺还款")), ("refusal", _("拒绝还款")), ("dispute", _("对债务有异议")),
            ("hardship", _("经济困难")), ("callback", _("约定回电")), ("already_paid", _("称已还款")),
            ("wrong_party", _("非本人/打错"))]


def unlogged_calls(user, at: dt.datetime | None = None) -> list:
    """The user's started calls (allowed by the gate) whose outcome is not logged yet, while it may still be logged
    (``compliance.model.decision_usable``), oldest first. Until logged, each counts under the person's daily caps as
    a conversation of unknown outcome, so the workbench shows it on every page and holds the next case back."""
    from django.db.models import Exists, OuterRef

    from concord.compliance.model import DECISION_VALID
    from concord.compliance.models import ContactAttempt, ContactDecision

    at = clock.now_or(at)
    return list(ContactDecision.objects.filter(actor=user, channel="call", allowed=True, at__gte=at - DECISION_VALID,
                                               at__lte=at, case__isnull=False, released_at__isnull=True)
                .exclude(Exists(ContactAttempt.objects.filter(decision=OuterRef("pk"))))
                .select_related("case").order_by("at", "id"))


def cap_holders(case, at: dt.datetime | None = None) -> list:
    """Allowed calls to the case's debtor, by anyone, still without an outcome: the gate counts them under its caps
    (``compliance.live.PENDING``) until they are logged."""
    from django.db.models import Exists, OuterRef

    from concord.compliance.live import PENDING
    from concord.compliance.models import ContactAttempt, ContactDecision

    at = clock.now_or(at)
    return list(ContactDecision.objects.filter(debtor_id=case.debtor_id, channel="call", allowed=True,
                                               at__gt=at - PENDING, at__lte=at, released_at__isnull=True)
                .exclude(Exists(ContactAttempt.objects.filter(decision=OuterRef("pk"))))
                .select_related("actor", "case").order_by("at", "id"))


def describe_unlogged(decision) -> str:
    """"130****7211, started 10:02 by 张三 (case C-…)" in the user's language."""
    return _("%(n)s（%(t)s 由 %(u)s 发起，案件 %(c)s）") % {
        "n": decision.number_masked or "—", "t": timezone.localtime(decision.at).strftime("%H:%M"),
        "u": str(decision.actor) if decision.actor else "—",
        "c": decision.case.reference if decision.case else "—"}


def say_call(activity) -> str:
    """A call's summary in the reader's language, from its outcome, result codes and masked number."""
    from concord.compliance.models import Outcome

    if not activity.outcome or "number" not in (activity.details or {}):
        return ""
    text = _("电话 %(n)s：%(o)s") % {"n": activity.details.get("number") or "—", "o": Outcome(activity.outcome).label}
    labels = dict(result_code_labels())
    codes = [str(labels[c]) for c in activity.result_codes or () if c in labels]
    return text + (" · " + "、".join(codes) if codes else "")
