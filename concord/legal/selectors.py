"""Read queries over the legal track, restricted to what the user may see."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from concord.core.access import restrict

from .models import LegalCase, LegalCost, LegalStage


def legal_cases(user) -> QuerySet:
    costs = (LegalCost.objects.filter(legal_case=OuterRef("pk")).values("legal_case")
             .annotate(s=Sum("amount")).values("s"))
    stage = LegalStage.objects.filter(legal_case=OuterRef("pk")).order_by("-started_on", "-id").values("stage")[:1]
    qs = LegalCase.objects.select_related("case", "case__debtor", "case__creditor").annotate(
        costs_total=Coalesce(Subquery(costs), Value(Decimal("0.00")), output_field=DecimalField(max_digits=14,
                                                                                               decimal_places=2)),
        current_stage=Subquery(stage))
    return restrict(qs, user)
