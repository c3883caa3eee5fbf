"""Read queries over staff."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import User
from .roles import Capability, roles_with


def assignable_users(user) -> QuerySet:
    """Whom ``user`` may give cases to: active users who take cases — a team lead only their own teams'."""
    qs = User.objects.filter(role__in=roles_with(Capability.TAKE_CASES), is_active=True)
    if user.case_scope == "team":
        qs = qs.filter(team__in=list(user.led_teams.all()) + ([user.team] if user.team_id else []))
    return qs.order_by("username")
