"""Field-visit actions (外访). Each writes its row, its audit event and its activity-log entry in one transaction.

The compliance gate decides a visit twice: when it is scheduled (``decide_contact`` at the scheduled time, with the
number of agents) and when it is reported (at the time of the visit; the report is recorded against that stored
allow with ``record_contact_outcome``). The gate's decision is stored before the visit changes, so a denial is kept
even though the action is refused.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.compliance.provenance import usable_points
from concord.cases.activities import check_note, label_of, log_activity
from concord.cases.models import ACTIVE_STATUSES, Case
from concord.compliance import live
from concord.compliance import services as compliance
from concord.core import audit, clock, storage
from concord.core.access import own_team_ids, restrict
from concord.core.masking import mask
from concord.core.services import require, save_validated
from concord.debtors.models import UNUSABLE_STATUSES, ContactKind
from concord.staff.roles import Capability, may

from .models import (
    OPEN_STATUSES,
    FieldVisit,
    VisitFile,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from .selectors import is_agent, may_view

#: The visits' activity summaries, said in the reader's language (``cases.activities.register_phrases``).
PHRASES = {
    "visit.request": (gettext_lazy("申请外访：%(p)s"), {"p": label_of(VisitPurpose)}),
    "visit.schedule": (gettext_lazy("外访已排期：%(t)s，%(a)s"), {}),
    "visit.report": (gettext_lazy("外访结果：%(o)s"), {"o": label_of(VisitOutcome)}),
    "visit.cancel": (gettext_lazy("外访已取消"), {}),
}

MIN_AGENTS = 2  # CN banking rule CN9; applied to every creditor (the stricter reading)
MAX_AHEAD = dt.timedelta(days=90)
FOLDER = "visits"



def _deny_role(field="actor"):
    raise ValidationError({field: [_("您的角色无权执行此操作")]})


def _sees_case(actor, case) -> bool:
    return restrict(Case.objects.filter(pk=case.pk), actor).exists()


def _aware(value, field):
    require(isinstance(value, dt.datetime) and timezone.is_aware(value), field, _("请填写带时区的日期时间"))


def address_choices(case):
    """The debtor's usable address contact points, as (point, masked text)."""
    points = usable_points(case, case.debtor.contact_points.all())  # the case page's shared read when it made one
    return [(p, masked_address(p)) for p in points
            if p.kind == ContactKind.ADDRESS and p.status not in UNUSABLE_STATUSES]


def masked_address(point) -> str:
    label = point.get_address_type_display() if point.address_type else ""
    return f"{label} {mask('address', point.value)}".strip()


@transaction.atomic
def request_visit(actor, case, *, address, purpose: str, note: str = "", at=None) -> FieldVisit:
    """Ask for a visit to one of the debtor's addresses, for a stated purpose."""
    at = clock.now_or(at)
    if not may(actor, Capability.REQUEST_VISIT) or not _sees_case(actor, case):
        _deny_role()
    require(case.status in ACTIVE_STATUSES, "case", _("案件已结案或撤案，不能申请外访"))
    require(address is not None and address.debtor_id == case.debtor_id and address.kind == ContactKind.ADDRESS,
            "address", _("请选择该债务人的地址"))
    require(address.status not in UNUSABLE_STATUSES, "address",
            _("该地址状态为“%(s)s”，不能外访") % {"s": address.get_status_display()})
    require(bool(usable_points(case, [address])), "address",
            _("该地址不是本案委托方提供的，也不是债务人就本案提供的，不能用于本案"))
    require(purpose in VisitPurpose.values, "purpose", _("无效的外访目的：%(v)s") % {"v": purpose})
    check_note(note)
    dup = FieldVisit.objects.filter(case=case, address=address, status__in=OPEN_STATUSES).first()
    require(dup is None, "address", _("该地址已有未完成的外访 #%(n)s") % {"n": getattr(dup, "pk", "")})
    visit = save_validated(FieldVisit(case=case, address=address, purpose=purpose, request_note=note.strip(),
                                      requested_by=actor, requested_at=at))
    audit.record(actor, "visit.request", visit, {"case": case.reference, "purpose": purpose,
                                                  "address": masked_address(address)})
    log_activity(actor, case, kind="visit", at=at, phrase=("visit.request", {"p": visit.purpose}),
                 note=note.strip(), details={"visit": visit.pk, "step": "request"})
    return visit


def selectable_agents(actor):
    """Who ``actor`` may send on a visit: every active field agent (the field team serves every team), and the
    collectors who may visit — a team lead's of their own teams only, a manager's any."""
    from django.db.models import Q

    from concord.staff.models import User
    from concord.staff.roles import Role, roles_with

    qs = User.objects.filter(role__in=roles_with(Capability.VISIT), is_active=True)
    if actor.case_scope == "team":
        qs = qs.filter(Q(role=Role.FIELD_AGENT) | Q(team_id__in=sorted(own_team_ids(actor))))
    return qs.select_related("team").order_by("role", "username")


def _check_agents(actor, agents, day: dt.date) -> list:
    agents = list(dict.fromkeys(agents or []))
    require(len(agents) >= MIN_AGENTS, "agents", _("外访至少需要 %(n)d 名人员（已选 %(k)d 名）")
            % {"n": MIN_AGENTS, "k": len(agents)})
    allowed = set(selectable_agents(actor).values_list("pk", flat=True))
    for agent in agents:
        require(agent.is_active and may(agent, Capability.VISIT), "agents",
                _("%(u)s 不是在岗的外访员或催收员") % {"u": agent})
        require(agent.pk in allowed, "agents", _("%(u)s 不属于您的小组，也不是外访员") % {"u": agent})
        missing = live.missing_qualifications(agent, day)
        require(not missing, "agents", _("%(u)s 缺少有效的%(m)s，不能外访")
                % {"u": agent, "m": "、".join(live.QUAL_ZH[m] for m in missing)})
    return agents


def _gate(actor, visit, *, agents: int, at: dt.datetime, field: str = "gate"):
    """The gate's decision for this visit (stored whatever it says); a denial is refused with its reason and, when
    only the time is wrong (night, a holiday rule), the earliest time the gate would allow it — then on ``field``
    (the time chosen, when scheduling)."""
    decision = compliance.decide_contact(actor, case=visit.case, channel="visit", agents=agents, at=at,
                                         contact_point=visit.address)  # the decision names where the address came from
    if not decision.allowed:
        from django.utils.translation import get_language

        text = _("合规闸门拒绝外访：%(r)s") % {"r": decision.reason(get_language())}
        earliest = earliest_visit(actor, visit, at)
        if earliest is None:        # a change of state is needed, not another time: the refusal is the gate's
            raise ValidationError({"gate": [text]})
        zone = live.zone_of(visit.case.debtor)
        local = timezone.localtime(earliest, zone) if zone else earliest
        text += " " + _("最早可于 %(t)s 外访。") % {"t": local.strftime("%Y-%m-%d %H:%M")}
        raise ValidationError({field: [text]})
    return decision


def earliest_visit(actor, visit, at: dt.datetime):
    """The earliest time from ``at`` at which the gate would allow a visit to the debtor, if nothing else changes
    (``compliance.selectors.contact_options``); None when a change of state is needed first."""
    from concord.compliance.selectors import contact_options

    options = [o for o in contact_options(visit.case, actor, at) if o.action == "visit"]
    return next((o.next_at for o in options if o.next_at is not None), None)


def _locked(visit, statuses, message):
    visit = FieldVisit.objects.select_for_update().get(pk=visit.pk)
    require(visit.status in statuses, "status", message)
    return visit


def schedule_visit(actor, visit, *, agents, scheduled_at: dt.datetime, at=None) -> FieldVisit:
    """Assign at least two agents and a time; the gate must allow a visit then. Rescheduling decides again."""
    at = clock.now_or(at)
    if not may(actor, Capability.SCHEDULE_VISIT) or not _sees_case(actor, visit.case):
        _deny_role()
    require(visit.status in OPEN_STATUSES, "status", _("该外访已完成或已取消"))
    _aware(scheduled_at, "scheduled_at")
    require(scheduled_at > at, "scheduled_at", _("计划时间必须晚于现在"))
    require(scheduled_at <= at + MAX_AHEAD, "scheduled_at", _("计划时间不能超过 90 天之后"))
    zone = live.zone_of(visit.case.debtor)
    agents = _check_agents(actor, agents, scheduled_at.astimezone(zone).date() if zone else scheduled_at.date())
    decision = _gate(actor, visit, agents=len(agents), at=scheduled_at, field="scheduled_at")
    with transaction.atomic():
        visit = _locked(visit, OPEN_STATUSES, _("该外访已完成或已取消"))
        before = (visit.scheduled_at, sorted(visit.agents.values_list("pk", flat=True)))
        visit.status, visit.scheduled_at, visit.scheduled_by, visit.scheduled_on = (
            VisitStatus.SCHEDULED, scheduled_at, actor, at)
        visit.schedule_decision = decision
        save_validated(visit)
        visit.agents.set(agents)
        audit.record(actor, "visit.schedule", visit, {
            "scheduled_at": [str(before[0]) if before[0] else None, str(scheduled_at)],
            "agents": [before[1], [a.pk for a in agents]], "decision": decision.pk})
        local = timezone.localtime(scheduled_at, zone) if zone else scheduled_at
        log_activity(actor, visit.case, kind="visit", at=at, decision=decision, details={
            "visit": visit.pk, "step": "schedule", "agents": [a.pk for a in agents]},
            phrase=("visit.schedule", {"t": local.strftime("%Y-%m-%d %H:%M"), "a": "、".join(str(a) for a in agents)}))
    return visit


def report_visit(actor, visit, *, outcome: str, note: str, files=(), visited_at: dt.datetime | None = None,
                 at=None) -> FieldVisit:
    """Record what happened: the gate decides the visit at the time it took place, and the ledger records the
    outcome against that allow; photos and documents are stored under ``DATA_DIR/visits/``."""
    at = clock.now_or(at)
    visited_at = visited_at or at
    agent = is_agent(actor, visit)
    if not agent and (not may(actor, Capability.SCHEDULE_VISIT) or not _sees_case(actor, visit.case)):
        _deny_role()
    require(visit.status == VisitStatus.SCHEDULED, "status", _("只有已排期的外访可以登记结果"))
    require(outcome in VisitOutcome.values, "outcome", _("无效的外访结果：%(v)s") % {"v": outcome})
    require(bool((note or "").strip()), "note", _("请填写外访记录"))
    check_note(note)
    _aware(visited_at, "visited_at")
    require(visited_at <= at, "visited_at", _("外访时间不能晚于现在"))
    require(visited_at >= visit.scheduled_on, "visited_at", _("外访时间不能早于排期操作时间"))
    files = list(files or [])
    for f in files:
        storage.check_upload(f)
    decision = _gate(actor, visit, agents=visit.agents.count(), at=visited_at)
    stored = []
    try:
        with transaction.atomic():
            visit = _locked(visit, (VisitStatus.SCHEDULED,), _("只有已排期的外访可以登记结果"))
            attempt = compliance.record_contact_outcome(actor, decision, outcome=outcome, at=visited_at,
                                                        note=note.strip()[:500])
            for f in files:
                stored.append(storage.store(FOLDER, visit.pk, f))
            VisitFile.objects.bulk_create([VisitFile(visit=visit, path=s.path, name=s.name, size=s.size,
                                                     sha256=s.sha256, content_type=s.content_type,
                                                     uploaded_by=actor, uploaded_at=at) for s in stored])
            visit.status, visit.outcome, visit.report_note = VisitStatus.REPORTED, outcome, note.strip()
            visit.visited_at, visit.reported_by, visit.report_decision, visit.attempt = (
                visited_at, actor, decision, attempt)
            save_validated(visit)
            audit.record(actor, "visit.report", visit, {"outcome": outcome, "decision": decision.pk,
                                                         "attempt": attempt.pk, "visited_at": str(visited_at),
                                                         "files": [{"name": s.name, "sha256": s.sha256}
                                                                   for s in stored]})
            log_activity(actor, visit.case, kind="visit", direction="outbound", channel="visit", outcome=outcome,
                         decision=decision, note=note.strip(), at=visited_at,
                         details={"visit": visit.pk, "step": "report", "files": len(stored)},
                         phrase=("visit.report", {"o": visit.outcome}))
    except BaseException:
        storage.remove(stored)
        raise
    return visit


@transaction.atomic
def cancel_visit(actor, visit, *, reason: str, at=None) -> FieldVisit:
    at = clock.now_or(at)
    requester = getattr(actor, "pk", None) is not None and visit.requested_by_id == actor.pk
    if not requester and (not may(actor, Capability.SCHEDULE_VISIT) or not _sees_case(actor, visit.case)):
        _deny_role()
    require(bool((reason or "").strip()), "reason", _("请填写取消原因"))
    check_note(reason, field="reason")
    visit = _locked(visit, OPEN_STATUSES, _("该外访已完成或已取消"))
    visit.status, visit.cancelled_at, visit.cancel_reason = VisitStatus.CANCELLED, at, reason.strip()[:300]
    save_validated(visit)
    audit.record(actor, "visit.cancel", visit, {"reason": visit.cancel_reason})
    log_activity(actor, visit.case, kind="visit", at=at, note=reason.strip(),
                 details={"visit": visit.pk, "step": "cancel"}, phrase=("visit.cancel", {}))
    return visit


@transaction.atomic
def reveal_address(actor, visit) -> str:
    """The full address, for the visit's agents and the roles that may reveal PII; each view is audited."""
    revealer = may(actor, Capability.REVEAL_PII) and _sees_case(actor, visit.case)
    if not (is_agent(actor, visit) or revealer):
        _deny_role()
    audit.record(actor, "visit.address.view", visit, {"address": masked_address(visit.address)})
    return visit.address.value


@transaction.atomic
def open_file(actor, vfile: VisitFile):
    """The path of an attached file, for whoever may see the visit; each download is audited."""
    if not may(actor, Capability.SEE_INTERNAL) or not may_view(actor, vfile.visit):
        _deny_role("file")
    path = storage.resolve(FOLDER, vfile.path)
    require(path.is_file(), "file", _("文件不存在"))
    audit.record(actor, "visit.file.download", vfile, {"visit": vfile.visit_id, "name": vfile.name,
                                                        "sha256": vfile.sha256})
    return path
