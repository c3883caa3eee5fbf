"""The scorecard's lines for a period: the measures of each collector or team gathered from the daily history
(recovery — ``reports.metrics.recovery.by_owner`` — and ``history.counts``) and from the quality reviews, then scored
by the pure :func:`scorecard.score` under the rubric in force."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db.models import Count, Sum

from concord.reports.metrics import Filters, recovery
from concord.staff.models import Team, User

from . import history, scorecard
from .models import Review

LEVELS = {"collector": "collector_id", "team": "team_id"}


def reviews_by(start: dt.date, end: dt.date, by: str, filters: Filters = Filters()) -> dict:
    """owner id → {reviews, score_sum, breaches}: the reviews of the calls made in the period (the call's local day,
    whenever it was reviewed) by the collector (or on the cases of the team that held them when sampled), within the
    filters."""
    qs = Review.objects.filter(sample__call_day__gte=start, sample__call_day__lte=end)
    if filters.creditor_id:
        qs = qs.filter(sample__case__creditor_id=filters.creditor_id)
    if filters.team_id:
        qs = qs.filter(sample__team_id=filters.team_id)
    if filters.collector_id:
        qs = qs.filter(sample__collector_id=filters.collector_id)
    if filters.teams is not None:
        qs = qs.filter(sample__team_id__in=filters.teams)
    key = "sample__collector_id" if by == "collector_id" else "sample__team_id"
    return {r[key]: {"reviews": r["n"], "score_sum": r["s"] or 0, "breaches": r["b"] or 0}
            for r in qs.values(key).annotate(n=Count("id"), s=Sum("score"), b=Sum("breaches")) if r[key] is not None}


def raw_counts(con, start: dt.date, end: dt.date, by: str, filters: Filters = Filters()) -> dict:
    """owner id → every count the scorecard's measures are made of."""
    empty = {"recovered_fen": 0, "held_fen": 0, "contacts": 0, "complaints": 0, "requests": 0, "denials": 0,
             "kept": 0, "resolved": 0, "reviews": 0, "score_sum": 0, "breaches": 0}
    out: dict = {}
    for r in recovery.by_owner(con, start, end, by, filters):
        out.setdefault(r[by], dict(empty)).update(recovered_fen=r["recovered_fen"] or 0, held_fen=r["held_fen"] or 0)
    for k, c in history.counts(con, start, end, by, filters).items():
        out.setdefault(k, dict(empty)).update(c)
    for k, c in reviews_by(start, end, by, filters).items():
        out.setdefault(k, dict(empty)).update(c)
    return out


def lines(con, start: dt.date, end: dt.date, level: str, filters: Filters = Filters(),
          weights: dict | None = None) -> list[scorecard.Line]:
    """The scored lines, best first. The peers are everyone within the filters other than the collector: a collector
    filter (or a collector's own view) picks that line from the lines of their peers."""
    from .services import current_weights

    by = LEVELS[level]
    only = filters.collector_id
    counts = raw_counts(con, start, end, by, replace(filters, collector_id=None))
    model = User if by == "collector_id" else Team
    if by == "collector_id":
        people = {u.pk: u for u in User.objects.filter(pk__in=counts, role__in=("collector", "team_lead",
                                                                              "field_agent"))}
        counts = {k: v for k, v in counts.items() if k in people}
        names = {k: str(u) for k, u in people.items()}
    else:
        names = {t.pk: str(t) for t in model.objects.filter(pk__in=counts)}
    out = [scorecard.Line(key=k, name=names.get(k, str(k)), values=scorecard.values(**c), counts=c)
           for k, c in counts.items()]
    scored = scorecard.score(out, weights or current_weights())
    if only is not None and by == "collector_id":
        scored = [ln for ln in scored if ln.key == only]
    return scored
