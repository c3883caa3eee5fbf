"""Read queries over cases, always restricted to what the user may see."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum

from concord.core.access import restrict
from concord.debtors.selectors import debtor_ids_with_contact
from concord.loans.delinquency import BUCKETS
from concord.loans.models import LoanAccount

from .models import Case


def visible_cases(user) -> QuerySet:
    return restrict(Case.objects.select_related("creditor", "debtor", "assigned_collector", "assigned_team"), user)


def search_cases(qs: QuerySet, text: str) -> QuerySet:
    """Name, last four of the ID, an exact phone (via the blind index), case or account reference."""
    text = (text or "").strip()
    if not text:
        return qs
    q = Q(debtor__full_name__icontains=text) | Q(reference__iexact=text)
    q |= Q(pk__in=LoanAccount.objects.filter(reference__iexact=text).values("case_id"))
    compact = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"\d{3}[\dXx]", compact):
        q |= Q(debtor__id_last4=compact.upper())
    if re.fullmatch(r"\+?\d{7,15}", compact):
        q |= Q(debtor_id__in=debtor_ids_with_contact(compact))
    return qs.filter(q)


@dataclass
class CaseFilters:
    creditor: int | None = None
    product_kind: str = ""
    bucket: str = ""
    status: str = ""
    collector: int | None = None
    dpd_min: int | None = None
    dpd_max: int | None = None
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    q: str = ""


def filter_cases(qs: QuerySet, f: CaseFilters) -> QuerySet:
    if f.creditor:
        qs = qs.filter(creditor_id=f.creditor)
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
    return search_cases(qs, f.q)


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
