"""Legal-track actions (法律程序). Each writes its rows, its audit event and its activity-log entry in one transaction.

Entering the legal track is refused when the debt is time-barred (``limitation.py``: Civil Code art. 188, from
the latest of the last due date, the last payment and the last acknowledgement recorded), and places a compliance
hold of kind ``legal`` on the debtor for this creditor: from then on the gate allows only service contacts for
this debt (the packs' HOLD rule) — the demand goes through the lawyer and the court. Closing the track releases it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.activities import check_note, label_of, log_activity
from concord.cases.models import ACTIVE_STATUSES, Case
from concord.compliance import services as compliance
from concord.core import audit, clock, storage
from concord.core.access import restrict
from concord.core.services import require, save_validated
from concord.core.templatetags.concord_format import amount as yuan
from concord.loans.models import LoanAccount
from concord.staff.roles import Capability, may

from .limitation import Limitation, limitation
from .models import (
    FOLLOWS,
    Acknowledgement,
    AcknowledgementKind,
    CloseReason,
    CostKind,
    LegalCase,
    LegalCost,
    LegalDocument,
    LegalStage,
    LegalStatus,
    Stage,
)

#: The legal track's activity summaries, said in the reader's language (``cases.activities.register_phrases``).
PHRASES = {
    "legal.acknowledge": (gettext_lazy("登记债务确认：%(k)s（%(d)s）"), {"k": label_of(AcknowledgementKind)}),
    "legal.enter": (gettext_lazy("转入法律程序（诉讼时效至 %(d)s）"), {}),
    "legal.stage.start": (gettext_lazy("法律程序阶段开始：%(s)s（%(d)s）"), {"s": label_of(Stage)}),
    "legal.stage.complete": (gettext_lazy("法律程序阶段完成：%(s)s（%(d)s）"), {"s": label_of(Stage)}),
    "legal.cost": (gettext_lazy("登记法律费用：%(k)s %(a)s 元"), {"k": label_of(CostKind), "a": yuan}),
    "legal.document": (gettext_lazy("上传法律文书：%(t)s"), {}),
    "legal.close": (gettext_lazy("法律程序结束：%(r)s"), {"r": label_of(CloseReason)}),
}

FOLDER = "legal"
MAX_COST = Decimal("999999999999.99")
#: What started the limitation period, as the refusal says it (in the reader's language).
BASIS_LABELS = {"due": gettext_lazy("最后一期应还日"), "payment": gettext_lazy("最后一次还款"),
                "acknowledgement": gettext_lazy("最后一次债务确认")}



def _deny(field="actor"):
    raise ValidationError({field: [_("您的角色无权执行此操作")]})


def _sees(actor, case) -> bool:
    return restrict(Case.objects.filter(pk=case.pk), actor).exists()


def _legal_actor(actor, case):
    if not may(actor, Capability.LEGAL_TRACK) or not _sees(actor, case):
        _deny()


def _date(value, field, *, today: dt.date, not_before: dt.date | None = None, before_label: str = ""):
    require(isinstance(value, dt.date) and not isinstance(value, dt.datetime), field, _("请填写日期"))
    require(value <= today, field, _("日期不能晚于今天"))
    if not_before is not None:
        require(value >= not_before, field, _("日期不能早于%(what)s（%(d)s）") % {"what": before_label, "d": not_before})
    return value


# -- limitation -------------------------------------------------------------------------------------------------
def limitation_of(case, *, accounts=None, acknowledgements=None) -> Limitation:
    """The limitation period of the case's debt, from its accounts' schedules and payments and its recorded
    acknowledgements. A caller that has read them already (the case page) passes ``accounts`` (with their
    instalments and payments) and ``acknowledgements`` (newest first); otherwise they are read here."""
    if accounts is None:
        accounts = LoanAccount.objects.filter(case=case).prefetch_related("instalments", "payments")
    if acknowledgements is None:
        acknowledgements = case.acknowledgements.all()[:1]  # newest first
    last_due = max((i.due_date for a in accounts for i in a.instalments.all()), default=None)
    paid = max((p.paid_at for a in accounts for p in a.payments.all() if p.reversed_at is None), default=None)
    latest = next(iter(acknowledgements), None)
    return limitation(last_due=last_due, last_payment=clock.local_date(paid) if paid else None,
                      last_acknowledgement=latest.acknowledged_on if latest else None)


def time_bar_reason(lim: Limitation, day: dt.date) -> str | None:
    """Why the debt cannot be taken to law on ``day`` (None when it can)."""
    if lim.expires_on is None:
        return _("案件没有应还日期、还款或债务确认记录，无法判断诉讼时效")
    if lim.barred_on(day):
        return (_("诉讼时效已于 %(d)s 届满（自%(b)s %(s)s 起算三年，《民法典》第一百八十八条），不能进入法律程序")
                % {"d": lim.expires_on.isoformat(), "b": BASIS_LABELS[lim.basis], "s": lim.start.isoformat()})
    return None


@transaction.atomic
def record_acknowledgement(actor, case, *, kind: str, acknowledged_on: dt.date, evidence: str,
                           at=None) -> Acknowledgement:
    """The debtor promised to pay, signed an arrangement or acknowledged the debt in writing on a day."""
    at = clock.now_or(at)
    if not may(actor, Capability.ACKNOWLEDGE_DEBT) or not _sees(actor, case):
        _deny()
    require(kind in AcknowledgementKind.values, "kind", _("无效的确认类型：%(v)s") % {"v": kind})
    first = LoanAccount.objects.filter(case=case).aggregate(d=Min("start_date"))["d"]
    _date(acknowledged_on, "acknowledged_on", today=clock.local_date(at), not_before=first,
          before_label=_("最早借据的放款日"))
    require(bool((evidence or "").strip()), "evidence", _("请填写证据说明（录音编号、协议编号等）"))
    check_note(evidence, field="evidence")
    ack = save_validated(Acknowledgement(case=case, kind=kind, acknowledged_on=acknowledged_on,
                                         evidence=evidence.strip()[:300], recorded_by=actor))
    audit.record(actor, "legal.acknowledgement", ack, {"case": case.reference, "kind": kind,
                                                        "acknowledged_on": str(acknowledged_on)})
    log_activity(actor, case, kind="legal", at=at, note=evidence.strip(), details={"acknowledgement": ack.pk},
                 phrase=("legal.acknowledge", {"k": ack.kind, "d": acknowledged_on}))
    return ack


# -- the track --------------------------------------------------------------------------------------------------
@transaction.atomic
def enter_legal(actor, case, *, law_firm: str = "", lawyer: str = "", court: str = "", note: str = "",
                at=None) -> LegalCase:
    """Move a case into the legal track: legal role (or admin/manager) only, never a time-barred debt."""
    at = clock.now_or(at)
    _legal_actor(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    require(case.status in ACTIVE_STATUSES, "case", _("案件已结案或撤案，不能进入法律程序"))
    require(not LegalCase.objects.filter(case=case, status=LegalStatus.ACTIVE).exists(), "case",
            _("该案件已在法律程序中"))
    today = clock.local_date(at)
    lim = limitation_of(case)
    reason = time_bar_reason(lim, today)
    require(reason is None, "case", reason)
    check_note(note)
    hold = compliance.place_hold(actor, debtor=case.debtor, creditor=case.creditor, kind="legal", at=at,
                                 reason=_("法律程序：%(r)s") % {"r": case.reference})
    try:
        with transaction.atomic():
            legal = save_validated(LegalCase(
                case=case, law_firm=law_firm.strip(), lawyer=lawyer.strip(), court=court.strip(), note=note.strip(),
                opened_on=today, opened_by=actor, limitation_start=lim.start, limitation_basis=lim.basis,
                limitation_expires_on=lim.expires_on, hold=hold))
    except IntegrityError:
        raise ValidationError({"case": [_("该案件已在法律程序中")]}) from None
    audit.record(actor, "legal.enter", legal, {"case": case.reference, "hold": hold.pk,
                                                "limitation_expires_on": str(lim.expires_on),
                                                "limitation_basis": lim.basis})
    log_activity(actor, case, kind="legal", at=at, note=note.strip(), details={"legal_case": legal.pk},
                 phrase=("legal.enter", {"d": lim.expires_on}))
    return legal


def _active(legal_case) -> LegalCase:
    legal = LegalCase.objects.select_for_update().select_related("case").get(pk=legal_case.pk)
    require(legal.status == LegalStatus.ACTIVE, "legal_case", _("该法律程序已结束"))
    return legal


@transaction.atomic
def start_stage(actor, legal_case, *, stage: str, started_on: dt.date, reference: str = "",
                at=None) -> LegalStage:
    """Start the next stage. Stages follow ``FOLLOWS``: each needs the one before it to have started."""
    at = clock.now_or(at)
    _legal_actor(actor, legal_case.case)
    legal = _active(legal_case)
    require(stage in Stage.values, "stage", _("无效的阶段：%(v)s") % {"v": stage})
    started = {s.stage: s for s in legal.stages.all()}
    require(stage not in started, "stage", _("“%(s)s”阶段已开始") % {"s": Stage(stage).label})
    before = FOLLOWS[stage]
    if before is not None:
        require(before in started, "stage", _("“%(s)s”阶段必须在“%(b)s”阶段开始之后")
                % {"s": Stage(stage).label, "b": Stage(before).label})
        floor, label = started[before].started_on, _("上一阶段的开始日期")
    else:
        floor, label = legal.opened_on, _("进入法律程序日期")
    _date(started_on, "started_on", today=clock.local_date(at), not_before=floor, before_label=label)
    check_note(reference, field="reference")
    row = save_validated(LegalStage(legal_case=legal, stage=stage, started_on=started_on,
                                    reference=reference.strip(), started_by=actor))
    audit.record(actor, "legal.stage.start", row, {"case": legal.case.reference, "stage": stage,
                                                    "started_on": str(started_on), "reference": row.reference})
    log_activity(actor, legal.case, kind="legal", at=at, details={"legal_case": legal.pk, "stage": stage},
                 phrase=("legal.stage.start", {"s": row.stage, "d": started_on}))
    return row


@transaction.atomic
def complete_stage(actor, stage_row, *, ended_on: dt.date, result: str = "", at=None) -> LegalStage:
    at = clock.now_or(at)
    _legal_actor(actor, stage_row.legal_case.case)
    legal = _active(stage_row.legal_case)
    row = LegalStage.objects.select_for_update().get(pk=stage_row.pk)
    require(row.ended_on is None, "ended_on", _("该阶段已完成"))
    _date(ended_on, "ended_on", today=clock.local_date(at), not_before=row.started_on,
          before_label=_("该阶段的开始日期"))
    check_note(result, field="result")
    row.ended_on, row.result = ended_on, result.strip()[:500]
    save_validated(row)
    audit.record(actor, "legal.stage.complete", row, {"stage": row.stage, "ended_on": str(ended_on),
                                                       "result": row.result})
    log_activity(actor, legal.case, kind="legal", at=at, note=row.result,
                 details={"legal_case": legal.pk, "stage": row.stage},
                 phrase=("legal.stage.complete", {"s": row.stage, "d": ended_on}))
    return row


def _stage_of(legal, stage):
    if stage is not None:
        require(stage.legal_case_id == legal.pk, "stage", _("该阶段不属于此法律程序"))
    return stage


def parse_cost(amount) -> Decimal:
    """An amount in yuan: positive, at most two decimals (never rounded silently)."""
    if isinstance(amount, (float, bool)):
        raise ValidationError({"amount": [_("金额不是有效数字")]})
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("金额不是有效数字")]}) from None
    require(value.is_finite() and value > 0, "amount", _("金额必须大于 0"))
    require(value <= MAX_COST, "amount", _("金额过大"))
    require(value == value.quantize(Decimal("0.01")), "amount", _("金额最多两位小数"))
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def add_cost(actor, legal_case, *, kind: str, amount, incurred_on: dt.date, stage=None, note: str = "",
             at=None) -> LegalCost:
    at = clock.now_or(at)
    _legal_actor(actor, legal_case.case)
    legal = _active(legal_case)
    require(kind in CostKind.values, "kind", _("无效的费用类型：%(v)s") % {"v": kind})
    value = parse_cost(amount)
    _date(incurred_on, "incurred_on", today=clock.local_date(at))
    _stage_of(legal, stage)
    check_note(note)
    cost = save_validated(LegalCost(legal_case=legal, stage=stage, kind=kind, amount=value, incurred_on=incurred_on,
                                    note=note.strip()[:300], recorded_by=actor))
    audit.record(actor, "legal.cost", cost, {"case": legal.case.reference, "kind": kind, "amount": str(value),
                                             "incurred_on": str(incurred_on)})
    log_activity(actor, legal.case, kind="legal", at=at, note=note.strip(),
                 details={"legal_case": legal.pk, "cost": cost.pk, "amount": str(value)},
                 phrase=("legal.cost", {"k": cost.kind, "a": value}))
    return cost


def cost_totals(case, *, tracks=None) -> dict:
    """Legal costs of a case (every legal track it went through): total and by kind, in Decimal yuan. A caller that
    has read the case's legal tracks with their costs passes them as ``tracks``."""
    if tracks is None:
        tracks = case.legal_cases.prefetch_related("costs")
    by_kind: dict = {}
    for track in tracks:
        for cost in track.costs.all():
            by_kind[cost.kind] = by_kind.get(cost.kind, Decimal("0.00")) + cost.amount
    return {"total": sum(by_kind.values(), Decimal("0.00")), "by_kind": by_kind}


def upload_document(actor, legal_case, *, upload, title: str, stage=None, at=None) -> LegalDocument:
    at = clock.now_or(at)
    _legal_actor(actor, legal_case.case)
    require(legal_case.status == LegalStatus.ACTIVE, "legal_case", _("该法律程序已结束"))
    require(bool((title or "").strip()), "title", _("请填写文书标题"))
    require(upload is not None, "file", _("请选择文件"))
    storage.check_upload(upload, field="file")
    _stage_of(legal_case, stage)
    stored = []
    try:
        with transaction.atomic():
            legal = _active(legal_case)
            stored.append(storage.store(FOLDER, legal.pk, upload))
            s = stored[0]
            doc = save_validated(LegalDocument(legal_case=legal, stage=stage, title=title.strip()[:200], path=s.path,
                                               name=s.name, size=s.size, sha256=s.sha256,
                                               content_type=s.content_type, uploaded_by=actor, uploaded_at=at))
            audit.record(actor, "legal.document.upload", doc, {"case": legal.case.reference, "title": doc.title,
                                                                "name": s.name, "sha256": s.sha256})
            log_activity(actor, legal.case, kind="legal", at=at, details={"legal_case": legal.pk, "document": doc.pk},
                         phrase=("legal.document", {"t": doc.title}))
    except BaseException:
        storage.remove(stored)
        raise
    return doc


@transaction.atomic
def open_document(actor, doc: LegalDocument):
    """The path of a legal document for the roles that may read them; each download is audited."""
    if not may(actor, Capability.READ_LEGAL_DOCUMENTS) or not _sees(actor, doc.legal_case.case):
        _deny("file")
    path = storage.resolve(FOLDER, doc.path)
    require(path.is_file(), "file", _("文件不存在"))
    audit.record(actor, "legal.document.download", doc, {"case": doc.legal_case.case.reference, "name": doc.name,
                                                          "sha256": doc.sha256})
    return path


@transaction.atomic
def close_legal(actor, legal_case, *, reason: str, note: str = "", at=None) -> LegalCase:
    """End the legal track; its hold is released and ordinary collection may resume (through the gate)."""
    at = clock.now_or(at)
    _legal_actor(actor, legal_case.case)
    legal = _active(legal_case)
    require(reason in CloseReason.values, "reason", _("无效的结束原因：%(v)s") % {"v": reason})
    check_note(note)
    legal.status, legal.closed_on, legal.close_reason, legal.closed_by = (
        LegalStatus.CLOSED, clock.local_date(at), reason, actor)
    save_validated(legal)
    if legal.hold_id and legal.hold.released_at is None:
        compliance.release_hold(actor, legal.hold, at=at, reason=_("法律程序已结束：%(r)s") % {
            "r": legal.get_close_reason_display()})
    audit.record(actor, "legal.close", legal, {"case": legal.case.reference, "reason": reason})
    log_activity(actor, legal.case, kind="legal", at=at, note=note.strip(), details={"legal_case": legal.pk},
                 phrase=("legal.close", {"r": legal.close_reason}))
    return legal
