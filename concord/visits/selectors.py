"""Read queries over field visits: a visit is visible to whoever may see its case, to its agents and to the
person who requested it (a field agent sent to a case assigned to someone else still sees the visit)."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from concord.core.access import NOTHING, case_q

from .models import OPEN_STATUSES, FieldVisit


def visible_visits(user) -> QuerySet:
    qs = FieldVisit.objects.select_related("case", "case__debtor", "address", "requested_by")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    q = case_q(user, "case")
    if q is None:
        return qs
    mine = Q(agents=user) | Q(requested_by=user)
    return qs.filter(mine if q is NOTHING else (q | mine)).distinct()


def my_visits(user, *, open_only: bool = False) -> QuerySet:
    """The visits the user goes on or asked for (the field agent's "my visits")."""
    qs = visible_visits(user).filter(Q(agents=user) | Q(requested_by=user)).distinct()
    return qs.filter(status__in=OPEN_STATUSES) if open_only else qs


def may_view(user, visit) -> bool:
    return visible_visits(user).filter(pk=visit.pk).exists()


def is_agent(user, visit) -> bool:
    return visit.agents.filter(pk=getattr(user, "pk", None)).exists()
