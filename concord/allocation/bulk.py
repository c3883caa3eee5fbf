"""Bulk work on many cases at once: reassign, return to the pool (公共池), hold and release, recall to the creditor
(退案), send a template message or letter. Each action takes the case ids chosen (by a filter or by ticking rows),
works in chunks of 2,000 — one transaction each, one audit event per case — reports ``progress(done, total)`` and
returns what it did. Run as jobs (``allocation.jobs``); each is safe to run again after a crash: a case already
done is no longer changed (compare-and-set), except messages, which a job does not resume.

Messages: each contact goes through the compliance gate on its own (``outreach.services.send_message`` →
``compliance.services.decide_contact``); the result counts allowed and denied contacts with their reasons.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.cases.models import ACTIVE_STATUSES, Case, CaseStatus
from concord.core import audit, clock
from concord.core.access import restrict
from concord.eod.allocrules import Move
from concord.staff.models import Team, User
from concord.staff.roles import Capability, may, require_capability

from . import services

CHUNK = 2000
Progress = Callable[[int, int], None] | None


def _chunks(ids: list[int]):
    ids = sorted(set(int(i) for i in ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _visible(actor, ids: list[int]):
    """The cases of ``ids`` the actor may see (the others are not theirs to act on)."""
    return restrict(Case.objects.filter(pk__in=ids), actor)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": [_("原因不能超过 200 个字符")]})
    return reason


def check_target(actor, team: Team | None, collector: User | None) -> Team | None:
    """The team a reassignment goes to, checked: a collector who takes cases, in that team; a team lead only
    within their own teams."""
    if collector is not None:
        if not (may(collector, Capability.TAKE_CASES) and collector.team_id):
            raise ValidationError({"collector": [_("%(u)s 不是在岗的催收人员") % {"u": collector}]})
        if team is not None and collector.team_id != team.pk:
            raise ValidationError({"collector": [_("催收员不属于所选小组")]})
        team = collector.team
    if team is None:
        raise ValidationError({"team": [_("请选择小组或催收员")]})
    if actor.case_scope == "team" and team.pk not in set(actor.led_teams.values_list("pk", flat=True)) | (
            {actor.team_id} if actor.team_id else set()):
        raise ValidationError({"team": [_("只能分配到您负责的小组")]})
    return team


def _move_chunk(actor, ids, to_team, to_collector, *, action: str, reason: str) -> int:
    rows = list(_visible(actor, ids).filter(status__in=ACTIVE_STATUSES).select_for_update()
                .values_list("id", "assigned_team_id", "assigned_collector_id", "total_balance"))
    moves = [Move(cid, team, col, to_team, to_collector, "", "bulk", int((bal or 0) * 100))
             for cid, team, col, bal in rows if (team, col) != (to_team, to_collector)]
    return services.write_assignments(actor, moves, reason=lambda m: f"bulk:{action}:{reason}",
                                      action=f"case.bulk_{action}", changes=lambda m: {"reason": reason})


def reassign(actor, case_ids, *, team: Team | None = None, collector: User | None = None, reason: str = "",
             progress: Progress = None) -> dict:
    """Give the cases to a team (and a collector in it); cases already there, ended, or not visible are left."""
    require_capability(actor, Capability.BULK_ACTIONS)
    reason = _reason(reason)
    team = check_target(actor, team, collector)
    return _run(case_ids, progress, lambda ids: _move_chunk(
        actor, ids, team.pk, collector.pk if collector else None, action="reassign", reason=reason))


def return_to_pool(actor, case_ids, *, reason: str = "", progress: Progress = None) -> dict:
    """Take the cases off their team and collector: they wait in the pool (公共池) for the allocation rules."""
    require_capability(actor, Capability.BULK_ACTIONS)
    reason = _reason(reason)
    return _run(case_ids, progress, lambda ids: _move_chunk(actor, ids, None, None, action="pool", reason=reason))


def _status_chunk(actor, ids, *, frm: tuple, to: Callable, action: str, reason: str) -> int:
    rows = list(_visible(actor, ids).filter(status__in=frm).select_for_update()
                .values_list("id", "status", "assigned_collector_id"))
    if not rows:
        return 0
    by_target: dict[str, list[int]] = {}
    for cid, _status, col in rows:
        by_target.setdefault(to(col), []).append(cid)
    for status, pks in by_target.items():
        Case.objects.filter(pk__in=pks).update(status=status)
    audit.record_many(actor, f"case.bulk_{action}", [
        (("cases.case", cid), {"status": [status, to(col)], "reason": reason}) for cid, status, col in rows])
    return len(rows)


def hold(actor, case_ids, *, reason: str = "", progress: Progress = None) -> dict:
    """Pause the cases (status 暂停): they leave the queues until released."""
    require_capability(actor, Capability.BULK_ACTIONS)
    reason = _reason(reason)
    return _run(case_ids, progress, lambda ids: _status_chunk(
        actor, ids, frm=(CaseStatus.NEW, CaseStatus.OPEN), to=lambda col: CaseStatus.ON_HOLD, action="hold",
        reason=reason))


def release(actor, case_ids, *, reason: str = "", progress: Progress = None) -> dict:
    """Resume paused cases: open when they have a collector, new otherwise."""
    require_capability(actor, Capability.BULK_ACTIONS)
    reason = _reason(reason)
    return _run(case_ids, progress, lambda ids: _status_chunk(
        actor, ids, frm=(CaseStatus.ON_HOLD,), to=lambda col: CaseStatus.OPEN if col else CaseStatus.NEW,
        action="release", reason=reason))


def recall(actor, case_ids, *, reason: str, progress: Progress = None) -> dict:
    """Give the cases back to their creditor (退案): their open accounts are recalled by
    ``cases.services.recall_accounts`` (the case ends, its assignment closes; one event per case)."""
    from concord.cases.services import recall_accounts
    from concord.loans.models import AccountStatus, LoanAccount

    require_capability(actor, Capability.RECALL_CASES)
    reason = _reason(reason)
    if not reason:
        raise ValidationError({"reason": [_("退案须填写原因")]})

    def chunk(ids):
        visible = _visible(actor, ids).filter(status__in=ACTIVE_STATUSES).values("id")
        accounts = list(LoanAccount.objects.filter(case_id__in=visible, status=AccountStatus.OPEN))
        return len(recall_accounts(actor, accounts, reason=reason, on=clock.today())["cases"]) if accounts else 0

    return _run(case_ids, progress, chunk)


def _run(case_ids, progress: Progress, chunk_fn) -> dict:
    ids = sorted(set(int(i) for i in case_ids))
    total, done, changed = len(ids), 0, 0
    if progress:
        progress(0, total)
    for part in _chunks(ids):
        with transaction.atomic():
            changed += chunk_fn(part)
        done += len(part)
        if progress:
            progress(done, total)
    return {"cases": total, "changed": changed, "unchanged": total - changed}


def send(actor, case_ids, *, channel: str, template_code: str, progress: Progress = None,
         language: str | None = None) -> dict:
    """Send a template message (SMS, e-mail) or letter to each case's debtor, one at a time through the compliance
    gate (``outreach.services.send_message``). Returns the allowed and denied counts, the denials by reason."""
    from concord.outreach import services as outreach

    require_capability(actor, Capability.BULK_ACTIONS)
    require_capability(actor, Capability.SEND_MESSAGES)
    ids = sorted(set(int(i) for i in case_ids))
    allowed, denied, reasons = 0, 0, Counter()
    total = len(ids)
    if progress:
        progress(0, total)
    done = 0
    for part in _chunks(ids):
        for case in _visible(actor, part).filter(status__in=ACTIVE_STATUSES).select_related("debtor", "creditor"):
            try:
                outcome = outreach.send_message(actor, case, channel=channel, template_code=template_code)
            except ValidationError as exc:
                denied += 1
                reasons["; ".join(exc.messages)] += 1
                continue
            if outcome.allowed:
                allowed += 1
            else:
                denied += 1
                reasons[outcome.reason(language)] += 1
        done += len(part)
        if progress:
            progress(done, total)
    return {"cases": total, "allowed": allowed, "denied": denied,
            "reasons": [[r, n] for r, n in reasons.most_common()]}
