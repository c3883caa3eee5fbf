"""Read queries over the legal track, restricted to what the user may see."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from concord.cases.models import ACTIVE_STATUSES, Case
from concord.core.access import restrict
from concord.loans.models import LoanAccount

from .models import LegalCase, LegalCost, LegalStage, LegalStatus

#: What the end-of-day run's treatment path leaves in ``eod_casestate.path_action`` for a case it hands to legal.
LEGAL_REVIEW = "legal_review"


def legal_cases(user) -> QuerySet:
    costs = (LegalCost.objects.filter(legal_case=OuterRef("pk")).values("legal_case")
             .annotate(s=Sum("amount")).values("s"))
    stage = LegalStage.objects.filter(legal_case=OuterRef("pk")).order_by("-started_on", "-id").values("stage")[:1]
    qs = LegalCase.objects.select_related("case", "case__debtor", "case__creditor").annotate(
        costs_total=Coalesce(Subquery(costs), Value(Decimal("0.00")), output_field=DecimalField(max_digits=14,
                                                                                               decimal_places=2)),
        current_stage=Subquery(stage))
    return restrict(qs, user)


def due_for_legal_review(user) -> QuerySet:
    """The cases the last end-of-day run marked for legal review (``CaseState.path_action == "legal_review"``) that
    are still open and not already in an active legal track, among those ``user`` may see; largest balance first.
    Each case comes with its end-of-day state (``eod_state``) and, for its limitation period, its accounts with
    their instalments and payments and its acknowledgements (newest first)."""
    in_legal = LegalCase.objects.filter(case=OuterRef("pk"), status=LegalStatus.ACTIVE)
    accounts = LoanAccount.objects.prefetch_related("instalments", "payments")
    qs = (Case.objects.filter(eod_state__path_action=LEGAL_REVIEW, status__in=ACTIVE_STATUSES)
          .exclude(Exists(in_legal))
          .select_related("debtor", "creditor", "eod_state")
          .prefetch_related(Prefetch("accounts", queryset=accounts), "acknowledgements")
          .order_by("-total_balance", "id"))
    return restrict(qs, user)
