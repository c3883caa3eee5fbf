"""Read queries over cases, always restricted to what the user may see."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from concord.core.access import restrict
from concord.debtors.selectors import debtor_match
from concord.loans.delinquency import BUCKETS
from concord.loans.models import LoanAccount

from .models import Case


def visible_cases(user) -> QuerySet:
    return restrict(Case.objects.select_related("creditor", "debtor", "assigned_collector", "assigned_team"), user)


def visible_case_or_404(user, pk) -> Case:
    """The case ``pk`` if ``user`` may see it; a 404 otherwise (an invisible case does not exist for them)."""
    return get_object_or_404(visible_cases(user), pk=pk)


def search_cases(qs: QuerySet, text: str) -> QuerySet:
    """Debtor name, last four of the ID, an exact phone or e-mail (via the blind index), case or account reference."""
    text = (text or "").strip()
    if not text:
        return qs
    accounts = LoanAccount.objects.filter(reference__iexact=text).values("case_id")
    return qs.filter(debtor_match(text, "debtor__") | Q(reference__iexact=text) | Q(pk__in=accounts))


@dataclass
class CaseFilters:
    creditor: int | None = None
    creditor_code: str = ""
    team: int | None = None
    product_kind: str = ""
    bucket: str = ""
    status: str = ""
    collector: int | None = None
    dpd_min: int | None = None
    dpd_max: int | None = None
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    q: str = ""
    ordering: str = ""


def filter_cases(qs: QuerySet, f: CaseFilters) -> QuerySet:
    if f.creditor:
        qs = qs.filter(creditor_id=f.creditor)
    if f.creditor_code:
        qs = qs.filter(creditor__code=f.creditor_code)
    if f.team:
        qs = qs.filter(assigned_team_id=f.team)
    if f.product_kind:
        qs = qs.filter(pk__in=LoanAccount.objects.filter(product__kind=f.product_kind).values("case_id"))
    if f.bucket:
        qs = qs.filter(bucket=f.bucket)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.collector:
        qs = qs.filter(assigned_collector_id=f.collector)
    if f.dpd_min is not None:
        qs = qs.filter(max_dpd__gte=f.dpd_min)
    if f.dpd_max is not None:
        qs = qs.filter(max_dpd__lte=f.dpd_max)
    if f.balance_min is not None:
        qs = qs.filter(total_balance__gte=f.balance_min)
    if f.balance_max is not None:
        qs = qs.filter(total_balance__lte=f.balance_max)
    qs = search_cases(qs, f.q)
    return qs.order_by(f.ordering, "id") if f.ordering else qs


def portfolio_summary(user) -> dict:
    """Cases and balance by creditor and bucket, over the cases the user may see."""
    qs = visible_cases(user)
    rows = qs.values("creditor__name", "bucket").annotate(n=Count("id"), balance=Sum("total_balance"))
    creditors = sorted({r["creditor__name"] for r in rows})
    grid = {c: {b: {"n": 0, "balance": Decimal("0")} for b in BUCKETS} for c in creditors}
    for r in rows:
        grid[r["creditor__name"]][r["bucket"]] = {"n": r["n"], "balance": r["balance"] or Decimal("0")}
    totals = qs.aggregate(n=Count("id"), balance=Sum("total_balance"), dpd_avg=Avg("max_dpd"))
    by_status = dict(qs.values_list("status").annotate(n=Count("id")))
    return {"creditors": creditors, "grid": grid, "buckets": BUCKETS, "cases": totals["n"],
            "balance": totals["balance"] or Decimal("0"), "by_status": by_status,
            "dpd_avg": round(totals["dpd_avg"] or 0)}
