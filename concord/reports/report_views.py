"""The management report pages (/reports/…): filters, tables, charts (ECharts, static/concord/charts.js), the cases
behind a number, and the Excel file. What a user sees is limited by ``scope.scoped_filters`` (a team lead: their
teams); the cases behind a number are read through ``visible_cases``."""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from concord.cases.selectors import visible_cases
from concord.core import clock
from concord.core.access import own_team_ids

from . import capture, pages
from .forms import ReportFilterForm
from .metrics import Filters, drill
from .scope import scoped_filters

FILTER_FIELDS = ("start", "end", "creditor", "product", "placement", "team", "collector", "bucket")


def _period_default() -> tuple[dt.date, dt.date]:
    days = capture.store().days()
    end = days[-1] if days else clock.today() - dt.timedelta(days=1)
    return end - dt.timedelta(days=89), end


def _form(request):
    teams = None if request.user.case_scope == "book" else sorted(own_team_ids(request.user))
    data = {k: v for k, v in request.GET.items() if k in FILTER_FIELDS and v}
    start, end = _period_default()
    data.setdefault("start", start.isoformat())
    data.setdefault("end", end.isoformat())
    return ReportFilterForm(data, teams=teams)


def _filters(form) -> Filters:
    d = form.cleaned_data
    pk = lambda obj: obj.pk if obj else None
    return Filters(creditor_id=pk(d.get("creditor")), product_id=pk(d.get("product")),
                   placement_id=pk(d.get("placement")), team_id=pk(d.get("team")),
                   collector_id=pk(d.get("collector")), bucket=d.get("bucket") or None)


def _subtitle(form) -> str:
    d = form.cleaned_data
    parts = [f"{d['start']} — {d['end']}"]
    for name in FILTER_FIELDS[2:]:
        if d.get(name):
            parts.append(f"{form.fields[name].label}: {d[name]}")
    return " · ".join(str(p) for p in parts)


def _query(form) -> dict:
    return {k: v for k, v in form.data.items() if k in FILTER_FIELDS and v}


def _qs(form) -> str:
    return urlencode(_query(form))


@login_required
def index(request):
    scoped_filters(request.user)
    form = _form(request)
    return render(request, "reports/index.html", {"reports": pages.REPORTS, "form": form,
                                                  "history_days": capture.store().days()})


@login_required
def report(request, name):
    if name not in pages.REPORTS:
        raise Http404
    filters = scoped_filters(request.user)
    form = _form(request)
    context = {"name": name, "title": pages.REPORTS[name], "reports": pages.REPORTS, "form": form,
               "query": _qs(form)}
    if form.is_valid():
        filters = scoped_filters(request.user, _filters(form))
        d = form.cleaned_data
        secs = pages.sections(name, capture.store().connect(), d["start"], d["end"], filters)
        context["sections"] = [_render(s, _query(form), name) for s in secs]
        context["subtitle"] = _subtitle(form)
        context["scoped"] = filters.teams is not None
    return render(request, "reports/report.html", context)


def _render(section, query, name):
    rows = []
    for i, row in enumerate(section.rows):
        link = None
        if i in section.drill:
            link = pages.drill_query(section.drill[i], query)
        rows.append({"cells": [(_shown(row.get(c.key), c.kind), c.kind) for c in section.columns], "link": link})
    return {"key": section.key, "title": section.title, "columns": section.columns, "rows": rows,
            "chart": json.dumps(section.chart, ensure_ascii=False, default=str) if section.chart and section.rows else "",
            "note": section.note}


def _shown(value, kind):
    if value is not None and kind == "rate":
        return f"{value * 100:.2f}%"
    if value is not None and kind == "number":
        return f"{value:.1f}"
    return value


@login_required
def export(request, name):
    if name not in pages.REPORTS:
        raise Http404
    scoped_filters(request.user)
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(_("筛选条件有误：") + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    filters = scoped_filters(request.user, _filters(form))
    d = form.cleaned_data
    data = pages.workbook(name, capture.store().connect(), d["start"], d["end"], filters, _subtitle(form))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="concord-{name}-{d["start"]}-{d["end"]}.xlsx"'
    return response


@login_required
def cases_behind(request, name):
    """The cases behind a number of a report (only the cases the user may see)."""
    if name not in pages.REPORTS:
        raise Http404
    scoped_filters(request.user)
    form = _form(request)
    if not form.is_valid():
        raise Http404
    filters = scoped_filters(request.user, _filters(form))
    d = form.cleaned_data
    con = capture.store().connect()
    g = request.GET
    what = g.get("what", "")
    try:
        ids = _case_ids(con, what, g, d["start"], d["end"], filters)
    except (KeyError, ValueError):
        raise Http404 from None
    order = {pk: n for n, pk in enumerate(ids)}
    cases = sorted(visible_cases(request.user).filter(pk__in=ids[:5000]), key=lambda c: order[c.pk])
    page = Paginator(cases, 100).get_page(g.get("page"))
    return render(request, "reports/cases.html", {"name": name, "title": pages.REPORTS[name], "page": page,
                                                  "total": len(cases), "query": _qs(form), "what": what})


def _int(v):
    return int(v) if v not in (None, "") else None


def _case_ids(con, what, g, start, end, filters):
    from dataclasses import replace

    if what == "paying":
        day = g.get("day")
        if day:
            start = end = dt.date.fromisoformat(day)
        extra = {k + "_id": _int(g.get(k)) for k in ("team", "collector", "creditor") if g.get(k)}
        if filters.teams is not None and extra.get("team_id") not in (None, *filters.teams):
            return []
        return drill.paying(con, start, end, replace(filters, **extra))
    if what == "vintage":
        return drill.vintage(con, dt.date.fromisoformat(g["month"]), end,
                             replace(filters, creditor_id=_int(g.get("creditor")) or filters.creditor_id))
    if what == "placement_bucket":
        return drill.placement_bucket(con, start, end, g["placed_bucket"], filters)
    if what == "roll":
        return drill.roll(con, dt.date.fromisoformat(g["month_end"]), dt.date.fromisoformat(g["next"]), g["from"],
                          g["to"], filters)
    if what == "promises":
        return drill.promised(con, start, end, g.get("event") or None, _int(g.get("collector")), filters)
    if what == "contacts":
        return drill.contacted(con, start, end, g.get("channel") or None, filters)
    raise ValueError(what)
