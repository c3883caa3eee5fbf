"""What the allocation rules read: each active case's facts, the collectors who may be given cases, and who held
a case recently. Plain SQL with aggregated joins: the whole book is read at once (a million cases)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from concord.cases.models import ACTIVE_STATUSES, Assignment, Case
from concord.core import clock
from concord.debtors.models import Debtor
from concord.eod.allocrules import Member
from concord.eod.models import CaseState
from concord.legal.models import LegalCase
from concord.loans.models import LoanAccount
from concord.staff.models import Team, User
from concord.staff.roles import Capability, Role, roles_with
from concord.workbench.models import Promise

from .models import RuleSet


def current_rule_set() -> RuleSet | None:
    return RuleSet.objects.order_by("-version").first()


def _in(ids) -> str:
    return "(" + ",".join(str(int(i)) for i in ids) + ")"


def _date(value, tz) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
    return clock.local_date(value, tz)


def case_facts(case_ids=None, *, chunk: int = 50_000):
    """The facts of the active cases (all of them, or ``case_ids``) as the dicts :mod:`concord.eod.allocrules`
    reads, by case id. Yields them in chunks of ``chunk`` cases so a million are never one list of rows in the
    database driver."""
    c, d, s = Case._meta.db_table, Debtor._meta.db_table, CaseState._meta.db_table
    a, x, p, lg = (LoanAccount._meta.db_table, Assignment._meta.db_table, Promise._meta.db_table,
                   LegalCase._meta.db_table)
    active = ",".join(f"'{v}'" for v in ACTIVE_STATUSES)
    only = f" AND case_id IN {_in(case_ids)}" if case_ids is not None else ""
    only_c = f" AND c.id IN {_in(case_ids)}" if case_ids is not None else ""
    if case_ids is not None and not case_ids:
        return
    sql = f"""
        SELECT c.id, c.creditor_id, pr.product_id, c.placement_id, c.bucket, c.max_dpd, ROUND(c.total_balance * 100),
               d.province, d.city, d.locale, s.score, lg.case_id, c.assigned_team_id, c.assigned_collector_id,
               asg.started_at, pm.made_at
        FROM {c} c
        JOIN {d} d ON d.id = c.debtor_id
        LEFT JOIN {s} s ON s.case_id = c.id
        LEFT JOIN (SELECT case_id, MIN(product_id) AS product_id FROM {a} WHERE case_id IS NOT NULL{only}
                   GROUP BY case_id) pr ON pr.case_id = c.id
        LEFT JOIN (SELECT DISTINCT case_id FROM {lg} WHERE status = 'active'{only}) lg ON lg.case_id = c.id
        LEFT JOIN (SELECT case_id, MAX(started_at) AS started_at FROM {x} WHERE ended_at IS NULL{only}
                   GROUP BY case_id) asg ON asg.case_id = c.id
        LEFT JOIN (SELECT case_id, MAX(made_at) AS made_at FROM {p} WHERE 1 = 1{only} GROUP BY case_id) pm
                  ON pm.case_id = c.id
        WHERE c.status IN ({active}){only_c}
        ORDER BY c.id"""
    tz = clock.now().tzinfo
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(chunk)
            if not rows:
                break
            out = []
            for (cid, cred, prod, plc, bucket, dpd, bal, prov, city, lang, score, legal, team, col, started,
                 promised) in rows:
                out.append({"case_id": cid, "creditor_id": cred, "product_id": prod, "placement_id": plc,
                            "bucket": bucket, "dpd": dpd, "balance_fen": int(bal or 0), "province": prov or "",
                            "city": city or "", "language": lang or "", "score": score,
                            "legal": "active" if legal is not None else "none", "team_id": team,
                            "collector_id": col, "assigned_on": _date(started, tz),
                            "last_promise_on": _date(promised, tz)})
            yield out


def members() -> list[Member]:
    """The collectors who may be given cases: active users of a taking role with a team; a field agent brings the
    ``field`` skill."""
    out = []
    for u in User.objects.filter(role__in=roles_with(Capability.TAKE_CASES), team__isnull=False,
                                 is_active=True).order_by("id"):
        skills = {str(s) for s in (u.skills or [])} | ({"field"} if u.role == Role.FIELD_AGENT else set())
        out.append(Member(u.pk, u.team_id, int(u.capacity), int((u.balance_capacity or Decimal(0)) * 100),
                          frozenset(skills)))
    return out


def holders(since: dt.date, case_ids=None) -> dict[int, list]:
    """Case id → ``[(collector id, ended on)]`` of its assignments that ended on or after ``since`` (every case's,
    or those of ``case_ids``)."""
    out: dict[int, list] = {}
    tz = clock.now().tzinfo
    qs = Assignment.objects.filter(collector__isnull=False, ended_at__isnull=False, ended_at__gte=clock.day_start(since))
    parts = [None] if case_ids is None else [sorted(case_ids)[i:i + 5000] for i in range(0, len(case_ids), 5000)]
    for part in parts:
        for cid, col, ended in (qs if part is None else qs.filter(case_id__in=part)).values_list(
                "case_id", "collector_id", "ended_at").iterator(chunk_size=20_000):
            out.setdefault(cid, []).append((col, clock.local_date(ended, tz)))
    return out


def loads(exclude=None) -> dict[int, tuple[int, int]]:
    """Collector → (active cases, balance in fen) they hold, leaving out the cases ``exclude``."""
    qs = Case.objects.filter(status__in=ACTIVE_STATUSES, assigned_collector__isnull=False)
    if exclude:
        qs = qs.exclude(pk__in=list(exclude))
    return {col: (n, int((bal or 0) * 100)) for col, n, bal in
            qs.values_list("assigned_collector_id").annotate(n=Count("id"), bal=Sum("total_balance"))
            .values_list("assigned_collector_id", "n", "bal")}


def team_names() -> dict[int, str]:
    return dict(Team.objects.values_list("id", "name"))


def user_names() -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(role__in=roles_with(Capability.TAKE_CASES))}
