"""Row-level access: which rows a user may see, as a queryset filter.

Every model that belongs to a case declares ``CASE_PATH``: the lookup from it to its case ("" for Case itself,
"case" for an account, "account__case" for a payment, "cases" for a debtor). One rule then serves every model:
a collector or field agent sees the cases assigned to them, a team lead their teams' cases, a creditor viewer
that creditor's portfolio, managers, compliance and legal the whole book, a borrower in the self-service portal
(``core.actors.Borrower``) their own cases. Nobody else sees anything.

Which of these applies is the user's ``case_scope`` (``book``, ``assigned``, ``team``, ``creditor`` or ``none``),
which the staff app's role table gives (``concord.staff.roles.case_scope``); core reads it from the user and
imports nothing above itself.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

NOTHING = Q(pk__in=[])


def case_q(user, prefix: str = "") -> Q | None:
    """The filter on cases that ``user`` may see; None means everything."""
    p = f"{prefix}__" if prefix else ""
    scope = getattr(user, "case_scope", "none")
    if scope == "book":
        return None
    if scope == "assigned":
        return Q(**{f"{p}assigned_collector_id": user.pk})
    if scope == "team":
        return Q(**{f"{p}assigned_team_id__in": sorted(own_team_ids(user))})
    if scope == "creditor":
        return Q(**{f"{p}creditor_id": user.creditor_id})
    if scope == "debtor":  # a borrower in the self-service portal (core.actors.Borrower): their own cases only
        return Q(**{f"{p}debtor_id": user.debtor_id})
    return NOTHING


def own_team_ids(user) -> set[int]:
    """The teams a team lead works in: the ones they lead and their own."""
    ids = set(user.led_teams.values_list("id", flat=True))
    if user.team_id:
        ids.add(user.team_id)
    return ids


def restrict(queryset: QuerySet, user) -> QuerySet:
    model = queryset.model
    path = getattr(model, "CASE_PATH", None)
    if path is None:
        raise TypeError(f"{model.__name__} does not declare CASE_PATH; it cannot be row-restricted")
    q = case_q(user, path)
    if q is None:
        return queryset
    if q is NOTHING:
        return queryset.none()
    queryset = queryset.filter(q)
    return queryset.distinct() if "__" in path or path == "cases" else queryset
