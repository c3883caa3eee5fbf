"""The portal's section on the case page: what the borrower chose there (contact preferences as they stated them)
and their online payments, so the collector sees them beside the gate's decisions."""
from __future__ import annotations

from concord.staff.roles import Capability, may

from .models import PaymentOrder, PortalSession, Preference


def case_panel(request, case):
    if not may(request.user, Capability.SEE_INTERNAL):
        return None
    preference = Preference.objects.filter(debtor_id=case.debtor_id).first()
    orders = list(PaymentOrder.objects.filter(account__case=case).order_by("-created_at")[:5])
    last = PortalSession.objects.filter(debtor_id=case.debtor_id).order_by("-created_at").first()
    if preference is None and not orders and last is None:
        return None
    return {"preference": preference, "orders": orders, "last_signin": last}
