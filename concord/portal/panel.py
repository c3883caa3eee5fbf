"""The portal's section on the case page: what the borrower chose there (contact preferences as they stated them)
and their online payments, so the collector sees them beside the gate's decisions. One query when the borrower has
never used the portal (the section is then hidden); the rows only for those who have."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery

from concord.debtors.models import Debtor
from concord.staff.roles import Capability, may

from .models import PaymentOrder, PortalSession, Preference


def case_panel(request, case):
    if not may(request.user, Capability.SEE_INTERNAL):
        return None
    used = Debtor.objects.filter(pk=case.debtor_id).annotate(
        last_signin=Subquery(PortalSession.objects.filter(debtor_id=OuterRef("pk")).order_by("-created_at")
                             .values("created_at")[:1]),
        has_orders=Exists(PaymentOrder.objects.filter(account__case_id=case.pk)),
        has_preference=Exists(Preference.objects.filter(debtor_id=OuterRef("pk"))),
    ).values("last_signin", "has_orders", "has_preference").first()
    if not used or not (used["last_signin"] or used["has_orders"] or used["has_preference"]):
        return None
    preference = Preference.objects.filter(debtor_id=case.debtor_id).first() if used["has_preference"] else None
    orders = (list(PaymentOrder.objects.filter(account__case=case).order_by("-created_at")[:5])
              if used["has_orders"] else [])
    return {"preference": preference, "orders": orders, "last_signin": used["last_signin"]}
