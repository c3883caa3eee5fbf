"""Allocation actions: save a rule set as a new version, roll back, preview what a rule set would move, apply it
(chunk by chunk, each move an ``Assignment`` naming the version and the rule, one audit event per case moved), and
allocate the cases an import has just placed.

The decision is :mod:`concord.eod.allocrules` (pure), the same code the end-of-day engine compiles."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.models import Assignment, Case, CaseStatus
from concord.core import audit, bulk, clock
from concord.eod import allocrules
from concord.staff.models import Team

from . import selectors
from .models import AllocationRun, RuleSet, RunKind

CHUNK = 2000

PROBLEMS = {
    "unknown_field": gettext_lazy("未知字段"), "duplicate_code": gettext_lazy("规则编号重复"),
    "not_a_number": gettext_lazy("应为数字"), "unknown_legal": gettext_lazy("法律状态应为 none 或 active"),
    "empty_range": gettext_lazy("上限小于下限"), "unknown_team": gettext_lazy("小组不存在"),
    "unknown_method": gettext_lazy("未知分配方式"), "unknown_skill": gettext_lazy("未知技能"),
    "skill_needed": gettext_lazy("按技能分配需选择技能"), "out_of_range": gettext_lazy("超出允许范围"),
}
REASONS = {
    "unmatched": gettext_lazy("无规则匹配"), "kept": gettext_lazy("留案"), "in_pool": gettext_lazy("已在公共池"),
    "to_pool": gettext_lazy("转入公共池"), "new": gettext_lazy("新案分配"), "unassigned": gettext_lazy("组内未分配"),
    "collector_inactive": gettext_lazy("原催收员不在岗"), "team_change": gettext_lazy("规则改变小组"),
    "rotation": gettext_lazy("轮换（久无承诺）"), "rebalance": gettext_lazy("重新均衡"),
}


def reason_label(reason: str) -> str:
    base, _sep, extra = reason.partition(":")
    label = str(REASONS.get(base, base))
    return label + (_("（组内无容量）") if extra == "no_capacity" else "")


def _problems_error(exc: allocrules.RuleError) -> ValidationError:
    return ValidationError({"rules": [_("规则 %(n)s · %(f)s：%(m)s") % {"n": n, "f": f, "m": PROBLEMS.get(code, code)}
                                      for n, f, code in exc.problems]})


def describe_change(before: list[dict], after: list[dict]) -> dict:
    """What a new version changed, by rule code: added, removed, changed (the fields), reordered."""
    old = {r["code"]: r for r in before}
    new = {r["code"]: r for r in after}
    changed = {code: sorted(k for k in new[code] if new[code][k] != old[code].get(k))
               for code in new if code in old and new[code] != old[code]}
    order_changed = [r["code"] for r in before if r["code"] in new] != [r["code"] for r in after if r["code"] in old]
    return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)), "changed": changed,
            "reordered": order_changed}


@transaction.atomic
def save_rules(actor, rules: list[dict], *, note: str = "", based_on: int | None = None) -> RuleSet:
    """A new version of the rule set (the older ones stay, for history and roll back). ``based_on``: the version
    the editor started from; when someone saved another version meanwhile the save is refused."""
    try:
        clean = allocrules.normalise(rules, teams=set(Team.objects.values_list("id", flat=True)))
    except allocrules.RuleError as exc:
        raise _problems_error(exc)
    if len(note) > 200:
        raise ValidationError({"note": [_("说明不能超过 200 个字符")]})
    current = RuleSet.objects.select_for_update().order_by("-version").first()
    if based_on is not None and current is not None and current.version != based_on:
        raise ValidationError({"rules": [_("规则已被他人修改为版本 %(v)s，请重新打开后再保存") % {"v": current.version}]})
    version = (current.version + 1) if current else 1
    rs = RuleSet.objects.create(version=version, rules=clean, note=note.strip(), based_on=current.version if current
                                else None, created_by=actor if getattr(actor, "pk", None) else None,
                                created_at=clock.now())
    audit.record(actor, "allocation.rules.save", rs, {"version": version, "based_on": rs.based_on, "note": rs.note,
                                                      **describe_change(current.rules if current else [], clean)})
    return rs


@transaction.atomic
def rollback(actor, version: int) -> RuleSet:
    """Make an earlier version's rules the current ones again (as a new version: history is never rewritten)."""
    old = RuleSet.objects.filter(version=version).first()
    if old is None:
        raise ValidationError({"version": [_("版本不存在")]})
    return save_rules(actor, old.rules, note=_("回滚到版本 %(v)s") % {"v": version})


# -- preview and apply -----------------------------------------------------------------------------------------------
@dataclass
class Plan:
    rule_set: RuleSet
    moves: list[allocrules.Move]
    summary: dict
    cases: int
    by_collector: dict = field(default_factory=dict)


def plan(rule_set: RuleSet | None = None, case_ids=None, today: dt.date | None = None) -> Plan | None:
    """What ``rule_set`` (default: the current one) would move among the active cases (or ``case_ids``); None when
    there are no rules yet. Reads only."""
    rule_set = rule_set or selectors.current_rule_set()
    if rule_set is None:
        return None
    today = today or clock.today()
    rules = allocrules.normalise(rule_set.rules)
    facts = [f for part in selectors.case_facts(case_ids) for f in part]
    members = selectors.members()
    days = max([r["exclude_days"] for r in rules] + [0])
    past = selectors.holders(today - dt.timedelta(days=days), case_ids) if days else {}
    # a part of the book is placed beside the cases the rest keeps
    base = selectors.loads(exclude=case_ids) if case_ids is not None else None
    moves, summary = allocrules.plan(rules, facts, members, today, past, base)
    by_collector: dict = {}
    for m in moves:
        for key, sign in (((m.from_team, m.from_collector), -1), ((m.to_team, m.to_collector), 1)):
            row = by_collector.setdefault(key, {"in": 0, "out": 0, "balance_in_fen": 0, "balance_out_fen": 0})
            row["in" if sign > 0 else "out"] += 1
            row["balance_in_fen" if sign > 0 else "balance_out_fen"] += m.balance_fen
    return Plan(rule_set, moves, summary, len(facts), by_collector)


def move_reason(rule_set: RuleSet, move: allocrules.Move) -> str:
    """The reason an assignment records: ``alloc:v<version>:<rule>:<reason>``."""
    return f"alloc:v{rule_set.version}:{move.rule}:{move.reason}"[:200]


def apply(actor, rule_set: RuleSet | None = None, *, case_ids=None, kind: str = RunKind.MANUAL,
          progress: Callable[[int, int], None] | None = None, expected_version: int | None = None
          ) -> AllocationRun | None:
    """Apply the rule set: the plan of :func:`plan`, written in chunks of 2,000 moves, each in one transaction
    with one ``case.allocate`` event per case. A case changed by someone else since the plan was read is left
    alone (compare-and-set on its team and collector). Run again after a crash: the moves already written are no
    longer moves. ``expected_version``: refuse when the current rules are no longer the version previewed."""
    rule_set = rule_set or selectors.current_rule_set()
    if rule_set is None:
        return None
    if expected_version is not None and rule_set.version != expected_version:
        raise ValidationError({"version": [_("规则已更新为版本 %(v)s，请重新预览") % {"v": rule_set.version}]})
    p = plan(rule_set, case_ids)
    with transaction.atomic():
        run = AllocationRun.objects.create(rule_set=rule_set, kind=kind, started_at=clock.now(), cases=p.cases,
                                           actor=actor if getattr(actor, "pk", None) else None)
        audit.record(actor, "allocation.start", run, {"version": rule_set.version, "kind": kind, "cases": p.cases,
                                                      "moves": len(p.moves)})
    total, done, written = len(p.moves), 0, 0
    if progress:
        progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = p.moves[start:start + CHUNK]
        with transaction.atomic():
            written += write_moves(actor, rule_set, chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    with transaction.atomic():
        run.finished_at, run.moved = clock.now(), written
        run.summary = {**p.summary, "skipped": total - written}
        run.save(update_fields=["finished_at", "moved", "summary"])
        audit.record(actor, "allocation.apply", run, {"version": rule_set.version, "kind": kind, "cases": p.cases,
                                                      "moved": written, "skipped": total - written,
                                                      "by_reason": p.summary["by_reason"]})
    return run


def write_moves(actor, rule_set: RuleSet, moves: list[allocrules.Move]) -> int:
    """Write a rule set's moves (inside the caller's transaction) by :func:`write_assignments`, each assignment's
    reason naming the version and the rule; one ``case.allocate`` event per case. Returns the count written."""
    return write_assignments(actor, moves, reason=lambda m: move_reason(rule_set, m), action="case.allocate",
                             changes=lambda m: {"version": rule_set.version, "rule": m.rule, "reason": m.reason})


@transaction.atomic
def write_assignments(actor, moves: list[allocrules.Move], *, reason, action: str, changes=None) -> int:
    """Write moves (inside the caller's transaction) — ``cases.services.assign_case`` for many cases at once: each
    case whose team and collector are still the move's "from" (compare-and-set) gets the move's "to" (a new case
    given a collector becomes open), its open assignment ends and a new one starts with ``reason(move)``; one
    audit event ``action`` per case with the change and ``changes(move)``. Returns the count written."""
    if not moves:
        return 0
    now = clock.now()
    table = Case._meta.db_table
    if connection.vendor == "postgresql":  # five arrays: no per-value placeholder to build and bind
        same, source = "IS NOT DISTINCT FROM", ("(SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], "
                                                "%s::bigint[], %s::bigint[]) AS u(id, ft, fc, tt, tc))")
        params = [[m.case_id for m in moves], [m.from_team for m in moves], [m.from_collector for m in moves],
                  [m.to_team for m in moves], [m.to_collector for m in moves]]
    else:
        same, source = "IS", "(VALUES " + ", ".join("(%s, %s, %s, %s, %s)" for _m in moves) + ")"
        params = [v for m in moves for v in (m.case_id, m.from_team, m.from_collector, m.to_team, m.to_collector)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v(id, ft, fc, tt, tc) AS {source} "
            f"UPDATE {table} SET assigned_team_id = v.tt, assigned_collector_id = v.tc, "
            f"status = CASE WHEN {table}.status = %s AND v.tc IS NOT NULL THEN %s ELSE {table}.status END "
            f"FROM v WHERE {table}.id = v.id "
            f"AND {table}.assigned_team_id {same} v.ft AND {table}.assigned_collector_id {same} v.fc "
            f"RETURNING {table}.id", [*params, str(CaseStatus.NEW), str(CaseStatus.OPEN)])
        done = {row[0] for row in cursor.fetchall()}
    written = [m for m in moves if m.case_id in done]
    if not written:
        return 0
    ids = sorted(done)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Assignment._meta.db_table} SET ended_at = %s WHERE ended_at IS NULL "
                           "AND case_id = ANY(%s::bigint[])", [now, ids])
    else:
        Assignment.objects.filter(case_id__in=ids, ended_at__isnull=True).update(ended_at=now)
    by = actor.pk if getattr(actor, "pk", None) else None
    bulk.insert_rows(Assignment, [{"case_id": m.case_id, "team_id": m.to_team, "collector_id": m.to_collector,
                                   "assigned_by_id": by, "reason": reason(m)[:200], "started_at": now}
                                  for m in written])
    audit.record_many(actor, action, [
        (("cases.case", m.case_id), {"team": [m.from_team, m.to_team], "collector": [m.from_collector,
                                                                                    m.to_collector],
                                     **(changes(m) if changes else {})})
        for m in written])
    return len(written)


@transaction.atomic
def allocate_placed(actor, batch, case_ids) -> None:
    """The import's follower: the cases a placement chunk placed are allocated at once by the current rules, in
    the chunk's transaction (nothing when there are no rules yet)."""
    rule_set = selectors.current_rule_set()
    if rule_set is None or not case_ids:
        return
    p = plan(rule_set, case_ids)
    n = write_moves(actor, rule_set, p.moves)
    if n:
        audit.record(actor, "allocation.import", batch, {"version": rule_set.version, "moved": n,
                                                         "cases": len(case_ids)})
