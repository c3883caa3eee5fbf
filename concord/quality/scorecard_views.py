"""The balanced scorecard's pages (/quality/scorecard/…): the lines of collectors or teams for a period with the
reports' filters, a chart of each total's parts, the cases behind a count, the Excel file (the reports' ``excel``),
and the rubric's editor. A team lead sees their teams only (``reports.scope.scoped_filters``); a collector sees only
their own line, on their quality page."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.cases.selectors import visible_cases
from concord.core import clock
from concord.core.access import own_team_ids
from concord.reports import capture, excel
from concord.reports.metrics import Filters, drill
from concord.reports.report_views import _render
from concord.reports.scope import scoped_filters
from concord.staff.roles import Capability, may, require_capability

from . import history, measures, scorecard, services
from .forms import RubricForm, ScorecardForm
from .labels import measure_labels
from .scorecard_page import sections

FIELDS = ("start", "end", "creditor", "team", "collector", "level")


def _period_default() -> tuple[dt.date, dt.date]:
    days = capture.store().days()
    end = days[-1] if days else clock.today() - dt.timedelta(days=1)
    return end - dt.timedelta(days=29), end


def _form(request) -> ScorecardForm:
    teams = None if request.user.case_scope == "book" else sorted(own_team_ids(request.user))
    data = {k: v for k, v in request.GET.items() if k in FIELDS and v}
    start, end = _period_default()
    data.setdefault("start", start.isoformat())
    data.setdefault("end", end.isoformat())
    data.setdefault("level", "collector")
    return ScorecardForm(data, teams=teams)


def _filters(user, form) -> Filters:
    d = form.cleaned_data
    pk = lambda o: o.pk if o else None  # noqa: E731
    return scoped_filters(user, Filters(creditor_id=pk(d.get("creditor")), team_id=pk(d.get("team")),
                                        collector_id=pk(d.get("collector"))))


def _query(form) -> dict:
    return {k: v for k, v in form.data.items() if k in FIELDS and v}


def _subtitle(form) -> str:
    d = form.cleaned_data
    parts = [f"{d['start']} — {d['end']}", str(dict(form.fields["level"].choices).get(d.get("level") or "collector"))]
    parts += [f"{form.fields[n].label}: {d[n]}" for n in ("creditor", "team", "collector") if d.get(n)]
    return " · ".join(parts)


@login_required
def scorecard_page(request):
    scoped_filters(request.user)
    form = _form(request)
    context = {"form": form, "query": urlencode(_query(form)), "weights": services.current_weights(),
               "labels": measure_labels(), "may_configure": may(request.user, Capability.CONFIGURE)}
    if form.is_valid():
        filters = _filters(request.user, form)
        d = form.cleaned_data
        level = d.get("level") or "collector"
        lines = measures.lines(capture.store().connect(), d["start"], d["end"], level, filters)
        secs = sections(lines, level, context["weights"])
        context.update(sections=[_rendered(sec, _query(form)) for sec in secs], subtitle=_subtitle(form),
                       scoped=filters.teams is not None, level=level)
    return render(request, "quality/scorecard.html", context)


def _rendered(section, query) -> dict:
    """The reports' rendering of a section, each row with the key of its collector or team (its drill-downs)."""
    out = _render(section, query, "scorecard")
    for i, row in enumerate(out["rows"]):
        row["key"] = section.drill.get(i, {}).get("key")
    return out


@login_required
def scorecard_export(request):
    scoped_filters(request.user)
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(_("筛选条件有误：") + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    filters = _filters(request.user, form)
    d = form.cleaned_data
    level = d.get("level") or "collector"
    weights = services.current_weights()
    lines = measures.lines(capture.store().connect(), d["start"], d["end"], level, filters, weights)
    data = excel.workbook(_("平衡计分卡"), _subtitle(form), sections(lines, level, weights))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="concord-scorecard-{d["start"]}-{d["end"]}.xlsx"'
    return response


@login_required
def scorecard_cases(request):
    """The cases behind a line's count: its paying cases, complaints or the gate's denials (the cases the user sees)."""
    scoped_filters(request.user)
    form = _form(request)
    if not form.is_valid():
        raise Http404
    filters = _filters(request.user, form)
    d = form.cleaned_data
    g = request.GET
    by = measures.LEVELS.get(d.get("level") or "collector")
    try:
        key = int(g["key"])
    except (KeyError, ValueError):
        raise Http404 from None
    if by == "team_id" and filters.teams is not None and key not in filters.teams:
        raise PermissionDenied(_("您只能查看本组的报表"))
    con = capture.store().connect()
    what = g.get("what", "")
    base = replace(filters, collector_id=None)
    if what == "paying":
        ids = drill.paying(con, d["start"], d["end"], replace(base, **{by: key}))
    elif what == "complaints":
        ids = history.complaint_cases(con, d["start"], d["end"], by, key, base)
    elif what == "denials":
        ids = history.denial_cases(con, d["start"], d["end"], by, key, base)
    else:
        raise Http404
    order = {pk: n for n, pk in enumerate(ids)}
    cases = sorted(visible_cases(request.user).filter(pk__in=ids[:5000]), key=lambda c: order[c.pk])
    page = Paginator(cases, 100).get_page(g.get("page"))
    return render(request, "quality/scorecard_cases.html", {"page": page, "total": len(cases), "what": what,
                                                            "query": urlencode(_query(form))})


@login_required
def rubric(request):
    require_capability(request.user, Capability.CONFIGURE)
    labels = measure_labels()
    current = services.current_rubric()
    form = RubricForm(request.POST or None, labels=labels, initial_weights=services.current_weights())
    if request.method == "POST" and form.is_valid():
        weights = {m: form.cleaned_data[m] for m in scorecard.MEASURES}
        try:
            services.set_rubric(request.user, weights, form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(None if field == "__all__" else field, msg)
        else:
            messages.success(request, _("计分卡权重已保存"))
            return redirect("quality-rubric")
    from .models import Rubric
    return render(request, "quality/rubric.html", {"form": form, "current": current,
                                                   "history": Rubric.objects.select_related("created_by")[:20],
                                                   "labels": labels})


def own_line(user):
    """A collector's own line of the collectors' scorecard over the last 30 kept days, among the peers they are
    compared with (the whole book); (None, None) without a history."""
    days = capture.store().days()
    if not days or not may(user, Capability.TAKE_CASES):
        return None, None
    end = days[-1]
    start = end - dt.timedelta(days=29)
    found = measures.lines(capture.store().connect(), start, end, "collector", Filters(collector_id=user.pk))
    return (found[0] if found else None), (start, end)
