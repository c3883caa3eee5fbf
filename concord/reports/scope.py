"""Who sees which part of the daily history: the row-level access of ``core.access`` on the history's rows.

Roles that see the whole book see every account; a team lead sees the accounts of their teams (the ones they lead and
their own, ``core.access.own_team_ids``) — each day's owner, so a case that moved to another team counts for the team
that held it that day. Nobody else sees the reports."""
from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from concord.core.access import own_team_ids
from concord.staff.roles import Capability, may

from .metrics import Filters


def scoped_filters(user, filters: Filters = Filters()) -> Filters:
    """``filters`` limited to what ``user`` may see; PermissionDenied for a user who sees no reports."""
    if not may(user, Capability.VIEW_REPORTS):
        raise PermissionDenied(_("您的角色无权查看管理报表"))
    scope = getattr(user, "case_scope", "none")
    if scope == "book":
        return filters
    if scope == "team":
        teams = tuple(sorted(own_team_ids(user)))
        if filters.team_id is not None and filters.team_id not in teams:
            raise PermissionDenied(_("您只能查看本组的报表"))
        return replace(filters, teams=teams)
    raise PermissionDenied(_("您的角色无权查看管理报表"))
