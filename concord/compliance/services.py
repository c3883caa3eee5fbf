"""Compliance actions: the only writers of the compliance tables. Each runs in one transaction with its audit event.

The live gate is ``decide_contact``: it reads the person's ledger and state across every creditor and debt,
evaluates the pure gate under the creditor's (tightened) pack plus the house rules, and stores the decision,
allowed or denied. ``record_contact_outcome`` writes the ledger only against a stored, unused, recent allow:
nothing reaches a borrower without one.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import require, save_validated
from concord.staff.roles import Capability, may

from . import live
from .model import Request, decision_usable
from .models import (
    OPEN_STATUSES,
    AttorneyRepresentation,
    CeaseRequest,
    Channel,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    Consent,
    ConsentScope,
    ContactAttempt,
    ContactDecision,
    CreditorPolicy,
    Direction,
    Hold,
    HoldKind,
    InconvenientTime,
    Outcome,
    PartyKind,
    Purpose,
    Qualification,
    QualificationKind,
    Resolution,
)
from .packs import load_pack, tighten

OUTCOMES_OF_CHANNEL = {
    "call": {"no_answer", "busy", "voicemail", "conversation", "third_party", "wrong_number", "failed"},
    "sms": {"delivered", "failed"}, "email": {"delivered", "failed"}, "letter": {"delivered", "failed"},
    "wechat": {"delivered", "failed", "conversation"}, "visit": {"conversation", "third_party", "failed"},
}



def _choice(field, value, choices, *, blank=False):
    if blank and value in ("", None):
        return ""
    require(value in choices.values, field, _("无效的取值：%(v)s") % {"v": value})
    return value


def _accounts_of(debtor, accounts):
    """Account ids (strings) from LoanAccount objects or ids, checked to be the debtor's."""
    if accounts is None:
        return None
    ids = [str(getattr(a, "pk", a)) for a in accounts]
    from concord.loans.models import LoanAccount
    known = {str(i) for i in LoanAccount.objects.filter(debtor=debtor, pk__in=ids).values_list("id", flat=True)}
    bad = [i for i in ids if i not in known]
    require(not bad, "accounts", _("借据 %(ids)s 不属于该债务人") % {"ids": ", ".join(bad)})
    return ids


def _party(debtor, related_party=None, attorney=None):
    if related_party is not None:
        require(related_party.debtor_id == debtor.pk, "related_party", _("该关联人不属于此债务人"))
        return PartyKind.RELATED
    if attorney is not None:
        require(attorney.debtor_id == debtor.pk, "attorney", _("该代理律师不属于此债务人"))
        return PartyKind.ATTORNEY
    return PartyKind.DEBTOR


def _resolve_case(case, debtor, creditor):
    if case is not None:
        return case, case.debtor, case.creditor
    require(debtor is not None, "debtor", _("必须指定案件或债务人"))
    if creditor is None:
        cases = list(debtor.cases.select_related("creditor")[:2])
        require(len(cases) == 1, "case", _("该债务人有多个委托方的案件，请指定案件"))
        return cases[0], debtor, cases[0].creditor
    return debtor.cases.filter(creditor=creditor).first(), debtor, creditor


# -- the live gate ----------------------------------------------------------------------------------------------
@transaction.atomic
def decide_contact(actor, *, case=None, debtor=None, creditor=None, channel: str, purpose: str = "collection",
                   related_party=None, attorney=None, number: str | None = None, accounts=None, template: str = "",
                   agents: int | None = None, at: dt.datetime | None = None, contact_point=None) -> ContactDecision:
    """Decide one contact now (or at ``at``), store the decision (allowed or denied) and return it.

    A contact with the debtor on one of their contact points (``contact_point``, or the point holding ``number``)
    names where the point came from (``inputs["source"]``); a point this case's creditor did not supply, that the
    debtor did not give about this case, and that no sharing between the creditors allows, is denied (``SOURCE``)."""
    at = clock.now_or(at)
    case, debtor, creditor = _resolve_case(case, debtor, creditor)
    _lock_person(debtor)
    _choice("channel", channel, Channel)
    _choice("purpose", purpose, Purpose)
    kind = _party(debtor, related_party, attorney)
    user_id = actor.pk if may(actor, Capability.CONTACT_NEEDS_QUALIFICATION) else None
    person = live.read_person(debtor, at, creditor_id=creditor.pk, user_id=user_id)
    history = person.history
    if accounts is None:
        ids = _debts_of_case(person.accounts, case, creditor)
    else:
        ids = _accounts_of(debtor, accounts)
    token = live.number_token(number)
    party = live.party_key(kind, getattr(related_party, "pk", None), getattr(attorney, "pk", None))
    request = Request(channel, tuple(ids) if ids else None, party, purpose, number=token or None,
                      template=template or None, agents=agents)
    pack = live.pack_for(creditor, person.overrides)
    source, source_denials = _point_source(case, debtor, kind, contact_point, number)
    result = live.evaluate_live(actor, request, at, history, pack, masked_number=live.masked(number),
                                qualifications=person.qualifications if user_id else None,
                                extra=_recall_denials(case) + source_denials)
    d = result.decision
    decision = ContactDecision.objects.create(
        at=at, debtor=debtor, case=case, creditor=creditor, actor=actor if getattr(actor, "pk", None) else None,
        channel=channel, purpose=purpose, party_kind=kind, related_party=related_party, attorney=attorney,
        number_key=token, number_masked=live.masked(number), accounts=list(ids or []), allowed=d.allowed,
        rules=list(d.rules), rules_text=(" " + " ".join(d.rules) + " ") if d.rules else "",
        reason_zh=d.reason_zh, reason_en=d.reason_en, pack=pack.name, pack_version=pack.version,
        inputs={"party": party, "relation": result.relation, "debts": list(ids or []), "channel": channel,
                "purpose": purpose, "number": live.masked(number), "agents": agents,
                "template": (template or "")[:500], "timezone": history.tz.key if history.tz else None,
                "contacts_seen": result.history_size[0], "states_seen": result.history_size[1],
                "denials": [{"code": x.code, "key": x.key} for x in d.denials],
                **({"source": source} if source else {})})
    audit.record(actor, "compliance.decide", decision, {"allowed": d.allowed, "rules": list(d.rules),
                                                         "channel": channel, "purpose": purpose,
                                                         "pack": pack.version,
                                                         **({"source": source["kind"]} if source else {})})
    return decision


def _recall_denials(case) -> list:
    """A recalled case (退案) may not be contacted at all: the denial names the recall (date and reason)."""
    from concord.creditors.models import AccountState, PlacementAccount

    from .model import Denial

    if case is None or case.status != "recalled":
        return []
    row = (PlacementAccount.objects.filter(account__case=case, state=AccountState.RECALLED)
           .order_by("-recalled_on", "-id").values_list("recalled_on", "recall_reason").first())
    on, reason = row if row else (case.closed_on, "")
    return [Denial("RECALL", "recall", {"on": on.isoformat() if on else "?", "reason": reason or "—"})]


def _lock_person(debtor) -> None:
    """One decision at a time per person: the row lock on the debtor (PostgreSQL; SQLite's immediate transactions
    already serialise writers) makes a second dial wait until the first decision, an allow counted under the caps
    while its call is in flight, is committed, so two dials cannot race past a cap."""
    from concord.debtors.models import Debtor

    list(Debtor.objects.select_for_update().filter(pk=debtor.pk).values_list("pk", flat=True))


def _point_source(case, debtor, party_kind, contact_point, number) -> tuple[dict | None, list]:
    """The source of the debtor's point the contact uses (None when there is no case or no known point), and the
    denial when the case may not use it."""
    from concord.debtors.models import ContactPoint

    from . import provenance
    from .model import Denial

    if case is None or party_kind != PartyKind.DEBTOR:
        return None, []
    point = contact_point
    if point is None and number:
        index = ContactPoint._meta.get_field("value_index").compute(number)
        point = ContactPoint.objects.filter(debtor=debtor, value_index=index).order_by("pk").first()
    if point is None:
        return None, []
    require(point.debtor_id == debtor.pk, "contact_point", _("该联系方式不属于此债务人"))
    source = provenance.Sources(case).of(point)
    described = provenance.describe(source)
    if source.usable:
        return described, []
    return described, [Denial("SOURCE", "source", {"creditor": described["creditor"] or "?"})]


def _debts_of_case(accounts, case, creditor) -> list[str]:
    """From the debtor's accounts ``(id, creditor_id, status, case_id)``: the case's open accounts (all of the
    case's when none is open); without a case, the creditor's."""
    from concord.loans.models import AccountStatus
    mine = [(i, s) for i, c, s, k in accounts if (k == case.pk if case is not None else c == creditor.pk)]
    open_ids = [str(i) for i, s in mine if s == AccountStatus.OPEN]
    return open_ids or [str(i) for i, _s in mine]


def _case_debts(case, debtor, creditor) -> list[str]:
    """The case's open accounts (every account of the case when none is open) as debt ids."""
    from concord.loans.models import AccountStatus, LoanAccount
    if case is not None:
        rows = live._rows(f"SELECT id, status FROM {LoanAccount._meta.db_table} WHERE case_id = %s", [case.pk])
    else:
        rows = list(LoanAccount.objects.filter(debtor=debtor, creditor=creditor).values_list("id", "status"))
    open_ids = [str(i) for i, s in rows if s == AccountStatus.OPEN]
    return open_ids or [str(i) for i, _s in rows]


@transaction.atomic
def record_contact_outcome(actor, decision: ContactDecision, *, outcome: str, at: dt.datetime | None = None,
                           note: str = "", dialed_at: dt.datetime | None = None) -> ContactAttempt:
    """Write the ledger row of a contact made under ``decision`` (this consumes the permit): it must be a stored
    allow, not yet used nor released, and at most 30 minutes old when the contact was made (``dialed_at``, when
    a telephony system reports the call after it ended; otherwise ``at``)."""
    at = clock.now_or(at)
    decision = ContactDecision.objects.select_for_update().get(pk=decision.pk)
    require(decision.allowed, "decision", _("该联系已被合规闸门拒绝，不能登记联系结果"))
    require(decision.released_at is None, "decision", _("该放行决定已释放（未拨出），请重新申请"))
    require(not ContactAttempt.objects.filter(decision=decision).exists(), "decision",
            _("该放行决定已登记过联系结果，请重新申请"))
    require(decision_usable(decision.at, dialed_at or at), "at",
            _("放行决定仅在 30 分钟内有效，请重新申请"))
    _choice("outcome", outcome, Outcome)
    require(outcome in OUTCOMES_OF_CHANNEL[decision.channel], "outcome",
            _("结果“%(o)s”不适用于该渠道") % {"o": outcome})
    attempt = save_validated(ContactAttempt(
        at=at, debtor_id=decision.debtor_id, case_id=decision.case_id, creditor_id=decision.creditor_id,
        decision=decision, collector=actor if getattr(actor, "pk", None) else None, channel=decision.channel,
        direction=Direction.OUTBOUND, party_kind=decision.party_kind, related_party_id=decision.related_party_id,
        attorney_id=decision.attorney_id, number_key=decision.number_key, number_masked=decision.number_masked,
        accounts=decision.accounts or None, outcome=outcome, purpose=decision.purpose, note=note))
    audit.record(actor, "compliance.contact", attempt, {"decision": decision.pk, "outcome": outcome})
    return attempt


@transaction.atomic
def release_permit(actor, decision: ContactDecision, *, reason: str, at: dt.datetime | None = None) -> ContactDecision:
    """Release an allow whose contact never went out (the telephony system refused or failed to dial): it stops
    counting under the caps at once. An allow already used for a contact cannot be released."""
    at = clock.now_or(at)
    decision = ContactDecision.objects.select_for_update().get(pk=decision.pk)
    require(decision.allowed, "decision", _("该联系已被合规闸门拒绝，无需释放"))
    require(not ContactAttempt.objects.filter(decision=decision).exists(), "decision",
            _("该放行决定已登记过联系结果，不能释放"))
    if decision.released_at is None:
        decision.released_at = at
        decision.save(update_fields=["released_at"])
        audit.record(actor, "compliance.release", decision, {"reason": reason[:200]})
    return decision


@transaction.atomic
def record_inbound_contact(actor, *, debtor, channel: str, case=None, related_party=None, number: str | None = None,
                           accounts=None, outcome: str = "conversation", at: dt.datetime | None = None,
                           note: str = "") -> ContactAttempt:
    """An inbound contact (the debtor called or wrote): it needs no decision, but counts (US4 conversations)."""
    _choice("channel", channel, Channel)
    _choice("outcome", outcome, Outcome)
    attempt = save_validated(ContactAttempt(
        at=clock.now_or(at), debtor=debtor, case=case, creditor=case.creditor if case else None, channel=channel,
        direction=Direction.INBOUND, party_kind=_party(debtor, related_party), related_party=related_party,
        number_key=live.number_token(number), number_masked=live.masked(number),
        accounts=_accounts_of(debtor, accounts), outcome=outcome, collector=actor if getattr(actor, "pk", None)
        else None, note=note))
    audit.record(actor, "compliance.inbound", attempt, {"channel": channel, "outcome": outcome})
    return attempt


# -- state ------------------------------------------------------------------------------------------------------
def _state(actor, model, action, *, debtor, related_party=None, accounts=None, valid_from=None, valid_until=None,
           note="", **fields):
    if related_party is not None:
        _party(debtor, related_party)
    valid_from = clock.now_or(valid_from)
    if valid_until is not None:
        require(valid_until > valid_from, "valid_until", _("失效时间必须晚于生效时间"))
    row = save_validated(model(debtor=debtor, related_party=related_party, accounts=_accounts_of(debtor, accounts),
                               valid_from=valid_from, valid_until=valid_until, note=note,
                               recorded_by=actor if getattr(actor, "pk", None) else None, **fields))
    audit.record(actor, action, row, {k: str(v) for k, v in fields.items()} | {
        "debtor": debtor.pk, "related_party": getattr(related_party, "pk", None),
        "valid_until": str(valid_until) if valid_until else None})
    return row


@transaction.atomic
def grant_consent(actor, *, debtor, scope: str, channel: str = "", related_party=None, accounts=None,
                  valid_from=None, valid_until=None, note: str = "") -> Consent:
    _choice("scope", scope, ConsentScope)
    _choice("channel", channel, Channel, blank=True)
    return _state(actor, Consent, "compliance.consent", debtor=debtor, related_party=related_party,
                  accounts=accounts, valid_from=valid_from, valid_until=valid_until, note=note, scope=scope,
                  channel=channel)


@transaction.atomic
def record_cease(actor, *, debtor, channel: str = "", related_party=None, accounts=None, valid_from=None,
                 note: str = "") -> CeaseRequest:
    _choice("channel", channel, Channel, blank=True)
    return _state(actor, CeaseRequest, "compliance.cease", debtor=debtor, related_party=related_party,
                  accounts=accounts, valid_from=valid_from, note=note, channel=channel)


@transaction.atomic
def add_inconvenient_time(actor, *, debtor, start: dt.time, end: dt.time, related_party=None, valid_from=None,
                          note: str = "") -> InconvenientTime:
    require(start != end, "end", _("结束时间不能与开始时间相同"))
    return _state(actor, InconvenientTime, "compliance.inconvenient", debtor=debtor, related_party=related_party,
                  valid_from=valid_from, note=note, start=start, end=end)


@transaction.atomic
def record_attorney(actor, *, debtor, attorney_name: str, firm: str = "", accounts=None, valid_from=None,
                    note: str = "") -> AttorneyRepresentation:
    require(bool(attorney_name.strip()), "attorney_name", _("请填写律师姓名"))
    return _state(actor, AttorneyRepresentation, "compliance.attorney", debtor=debtor, accounts=accounts,
                  valid_from=valid_from, note=note, attorney_name=attorney_name.strip(), firm=firm)


@transaction.atomic
def end_state(actor, row, *, at=None, note: str = ""):
    """End a consent, cease, inconvenient time or attorney representation from ``at`` on."""
    at = clock.now_or(at)
    require(row.valid_until is None or row.valid_until > at, "valid_until", _("该记录已失效"))
    require(at > row.valid_from, "at", _("结束时间必须晚于生效时间"))
    row.valid_until = at
    if note:
        row.note = (row.note + " / " + note)[:500] if row.note else note[:500]
    save_validated(row)
    audit.record(actor, f"compliance.{row._meta.model_name}.end", row, {"valid_until": str(at)})
    return row


@transaction.atomic
def place_hold(actor, *, debtor, kind: str, reason: str, creditor=None, account=None, until=None,
               at=None) -> Hold:
    _choice("kind", kind, HoldKind)
    require(bool(reason and reason.strip()), "reason", _("请填写暂停原因"))
    if account is not None:
        require(account.debtor_id == debtor.pk, "account", _("该借据不属于此债务人"))
        require(creditor is None or account.creditor_id == creditor.pk, "account", _("该借据不属于所选委托方"))
        creditor = creditor or account.creditor
    placed = clock.now_or(at)
    if until is not None:
        require(until > placed, "until", _("到期时间必须晚于开始时间"))
    hold = save_validated(Hold(debtor=debtor, creditor=creditor, account=account, kind=kind, reason=reason.strip(),
                               placed_at=placed, until=until, placed_by=actor if getattr(actor, "pk", None) else None))
    audit.record(actor, "compliance.hold.place", hold, {"kind": kind, "debtor": debtor.pk,
                                                        "creditor": getattr(creditor, "pk", None),
                                                        "account": getattr(account, "pk", None), "reason": reason})
    return hold


@transaction.atomic
def release_hold(actor, hold: Hold, *, reason: str, at=None, _from_complaint=False) -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    require(hold.released_at is None, "hold", _("该暂停已解除"))
    require(bool(reason and reason.strip()), "release_reason", _("请填写解除原因"))
    if not _from_complaint:
        linked = Complaint.objects.filter(hold=hold, status__in=OPEN_STATUSES).first()
        require(linked is None, "hold", _("该暂停由未办结的投诉/争议 #%(n)s 设置，办结后自动解除") % {"n": getattr(linked, "pk", "")})
    at = clock.now_or(at)
    require(at >= hold.placed_at, "released_at", _("解除时间不能早于开始时间"))
    hold.released_at, hold.release_reason = at, reason.strip()
    hold.released_by = actor if getattr(actor, "pk", None) else None
    save_validated(hold)
    audit.record(actor, "compliance.hold.release", hold, {"reason": reason})
    return hold


# -- packs ------------------------------------------------------------------------------------------------------
@transaction.atomic
def set_overrides(actor, creditor, overrides: dict) -> CreditorPolicy:
    """Store a creditor's stricter pack overrides; a looser value is refused with the reason (field ``overrides``)."""
    require(isinstance(overrides, dict), "overrides", _("规则收紧必须是 JSON 对象"))
    try:
        pack = tighten(load_pack(creditor.policy_pack), overrides) if overrides else load_pack(creditor.policy_pack)
    except ValueError as exc:
        raise ValidationError({"overrides": [str(exc)]}) from None
    policy, _created = CreditorPolicy.objects.get_or_create(creditor=creditor)
    before = policy.overrides
    policy.overrides = overrides
    policy.updated_by = actor if getattr(actor, "pk", None) else None
    save_validated(policy)
    audit.record(actor, "compliance.pack.override", policy, {"creditor": creditor.code, "before": before,
                                                             "after": overrides, "version": pack.version})
    return policy


@transaction.atomic
def set_complaint_deadlines(actor, creditor, *, complaint_days: int | None, dispute_days: int | None):
    for field, value in (("complaint_days", complaint_days), ("dispute_days", dispute_days)):
        require(value is None or 1 <= value <= 90, field, _("处理时限必须在 1 到 90 天之间"))
    policy, _created = CreditorPolicy.objects.get_or_create(creditor=creditor)
    before = {"complaint_days": policy.complaint_days, "dispute_days": policy.dispute_days}
    policy.complaint_days, policy.dispute_days = complaint_days, dispute_days
    save_validated(policy)
    audit.record(actor, "compliance.deadlines", policy, {"complaint_days": complaint_days,
                                                         "dispute_days": dispute_days, "before": before})
    return policy


# -- qualifications ---------------------------------------------------------------------------------------------
@transaction.atomic
def record_qualification(actor, *, user, kind: str, passed_on: dt.date, expires_on: dt.date | None = None,
                         reference: str = "") -> Qualification:
    """Record a passed training or exam; a training expires one year after it was passed unless told otherwise."""
    _choice("kind", kind, QualificationKind)
    if expires_on is None and kind != QualificationKind.PRE_JOB_EXAM:
        expires_on = passed_on + dt.timedelta(days=365)
    require(expires_on is None or expires_on > passed_on, "expires_on", _("到期日期必须晚于通过日期"))
    require(passed_on <= clock.today(), "passed_on", _("通过日期不能晚于今天"))
    q = save_validated(Qualification(user=user, kind=kind, passed_on=passed_on, expires_on=expires_on,
                                     reference=reference, recorded_by=actor if getattr(actor, "pk", None) else None))
    audit.record(actor, "compliance.qualification", q, {"user": user.pk, "kind": kind, "passed_on": str(passed_on),
                                                        "expires_on": str(expires_on) if expires_on else None})
    return q


# -- complaints -------------------------------------------------------------------------------------------------
def deadline_days(creditor, kind: str) -> int:
    policy = CreditorPolicy.objects.filter(creditor=creditor).first()
    own = getattr(policy, "complaint_days" if kind == ComplaintKind.COMPLAINT else "dispute_days", None)
    if own:
        return own
    return getattr(settings, "CONCORD_COMPLAINT_DAYS" if kind == ComplaintKind.COMPLAINT
                   else "CONCORD_DISPUTE_DAYS", 15 if kind == ComplaintKind.COMPLAINT else 30)


def _owner_ok(owner):
    require(owner is None or may(owner, Capability.OWN_COMPLAINTS), "owner",
            _("负责人必须是在岗的合规专员"))


@transaction.atomic
def open_complaint(actor, *, debtor, creditor, source: str, category: str, summary: str, kind: str = "complaint",
                   severity: str = "medium", case=None, owner=None, received_at=None) -> Complaint:
    """Register a complaint or dispute; collection for this debtor and creditor is held until it is resolved."""
    from .models import ComplaintCategory, ComplaintSource, Severity
    _choice("kind", kind, ComplaintKind)
    _choice("source", source, ComplaintSource)
    _choice("category", category, ComplaintCategory)
    _choice("severity", severity, Severity)
    require(bool(summary and summary.strip()), "summary", _("请填写投诉内容摘要"))
    if case is not None:
        require(case.debtor_id == debtor.pk and case.creditor_id == creditor.pk, "case", _("案件与债务人/委托方不符"))
    else:
        case = debtor.cases.filter(creditor=creditor).first()
    _owner_ok(owner)
    received = clock.now_or(received_at)
    hold = place_hold(actor, debtor=debtor, creditor=creditor, kind=kind, at=received,
                      reason=_("%(k)s：%(s)s") % {"k": ComplaintKind(kind).label, "s": summary.strip()[:200]})
    complaint = save_validated(Complaint(
        kind=kind, debtor=debtor, creditor=creditor, case=case, source=source, category=category, severity=severity,
        summary=summary.strip(), received_at=received,
        due_at=received + dt.timedelta(days=deadline_days(creditor, kind)), owner=owner, hold=hold,
        opened_by=actor if getattr(actor, "pk", None) else None))
    audit.record(actor, "compliance.complaint.open", complaint, {"kind": kind, "source": source,
                                                                 "category": category, "severity": severity,
                                                                 "hold": hold.pk, "due_at": str(complaint.due_at)})
    return complaint


@transaction.atomic
def assign_complaint(actor, complaint: Complaint, owner) -> Complaint:
    require(complaint.is_open, "status", _("投诉已办结"))
    _owner_ok(owner)
    before = complaint.owner_id
    complaint.owner = owner
    save_validated(complaint)
    audit.record(actor, "compliance.complaint.assign", complaint, {"owner": [before, owner.pk if owner else None]})
    return complaint


@transaction.atomic
def escalate_complaint(actor, complaint: Complaint, *, reason: str = "", at=None) -> Complaint:
    require(complaint.status == ComplaintStatus.OPEN, "status", _("只有处理中的投诉可以升级"))
    complaint.status, complaint.escalated_at = ComplaintStatus.ESCALATED, clock.now_or(at)
    save_validated(complaint)
    audit.record(actor, "compliance.complaint.escalate", complaint, {"reason": reason, "due_at": str(complaint.due_at)})
    return complaint


@transaction.atomic
def resolve_complaint(actor, complaint: Complaint, *, resolution: str, reply: str, at=None) -> Complaint:
    """Close a complaint with its outcome and the reply sent; its hold is released."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require(complaint.is_open, "status", _("投诉已办结"))
    _choice("resolution", resolution, Resolution)
    require(bool(reply and reply.strip()), "reply", _("请填写答复内容"))
    at = clock.now_or(at)
    require(at >= complaint.received_at, "resolved_at", _("办结时间不能早于受理时间"))
    complaint.status, complaint.resolution, complaint.reply, complaint.resolved_at = (
        ComplaintStatus.RESOLVED, resolution, reply.strip(), at)
    save_validated(complaint)
    if complaint.hold_id and complaint.hold.released_at is None:
        release_hold(actor, complaint.hold, at=at, _from_complaint=True,
                     reason=_("投诉/争议 #%(n)s 已办结") % {"n": complaint.pk})
    audit.record(actor, "compliance.complaint.resolve", complaint, {"resolution": resolution,
                                                                    "late": at > complaint.due_at})
    return complaint


def escalate_due_complaints(now=None, *, warn=None, actor=None) -> list[Complaint]:
    """Escalate every open complaint whose deadline is within ``warn`` (default 48 hours, setting
    ``CONCORD_COMPLAINT_WARN_HOURS``) or already past. Each escalation is its own audited transaction."""
    now = clock.now_or(now)
    warn = warn if warn is not None else dt.timedelta(hours=getattr(settings, "CONCORD_COMPLAINT_WARN_HOURS", 48))
    due = Complaint.objects.filter(status=ComplaintStatus.OPEN, due_at__lte=now + warn).order_by("due_at")
    done = []
    for complaint in due:
        left = complaint.due_at - now
        reason = (_("已超过办结期限") if left.total_seconds() < 0
                  else _("距办结期限不足 %(h)d 小时") % {"h": int(warn.total_seconds() // 3600)})
        done.append(escalate_complaint(actor, complaint, reason=reason, at=now))
    return done
