"""Field-visit pages: the list (my visits / the team's), one visit, the case-page panel and its forms."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import sealed
from concord.core.webforms import submit
from concord.cases.selectors import visible_cases
from concord.core.access import own_team_ids
from concord.staff.models import User
from concord.staff.roles import Capability, may, roles_with

from . import services
from .forms import CancelForm, ReportForm, RequestForm, ScheduleForm
from .models import VisitFile, VisitStatus
from .selectors import is_agent, my_visits, visible_visits


def _agents_for(user):
    qs = User.objects.filter(role__in=roles_with(Capability.VISIT), is_active=True)
    if user.case_scope == "team":
        qs = qs.filter(team_id__in=own_team_ids(user))
    return qs.order_by("username")


def _rows(visits):
    return [(v, services.masked_address(v.address)) for v in visits]


def case_panel(request, case):
    user = request.user
    if not may(user, Capability.SEE_INTERNAL):
        return None
    visits = list(case.field_visits.select_related("address", "requested_by").prefetch_related("agents", "files")[:20])
    may_schedule = may(user, Capability.SCHEDULE_VISIT)
    agents = _agents_for(user) if may_schedule else None
    rows = []
    for visit, address in _rows(visits):
        forms = {}
        if visit.is_open:  # one set of forms per open visit, with its own element ids
            ids = f"visit{visit.pk}_%s"
            agent = any(a.pk == user.pk for a in visit.agents.all())
            reporter = visit.status == VisitStatus.SCHEDULED and (agent or may_schedule)
            forms = {"schedule": ScheduleForm(agents=agents, auto_id=ids) if may_schedule else None,
                     "report": ReportForm(auto_id=ids) if reporter else None,
                     "cancel": CancelForm(auto_id=ids) if may_schedule or visit.requested_by_id == user.pk else None}
        rows.append((visit, address, forms))
    may_request = may(user, Capability.REQUEST_VISIT) and case.status in ("new", "open", "on_hold")
    return {
        "rows": rows, "may_request": may_request,
        "request_form": RequestForm(case=case, auto_id="visit_request_%s") if may_request else None,
    }


def _back(request, visit=None, case=None):
    case = case or visit.case
    if request.POST.get("back") == "visit" and visit is not None:
        return redirect("visits:detail", pk=visit.pk)
    if visible_cases(request.user).filter(pk=case.pk).exists():
        return redirect(reverse("case-detail", args=[case.pk]) + "#visits")
    return redirect("visits:detail", pk=visit.pk) if visit else redirect("visits:list")


def _act(request, form, act, done, failed):
    return submit(request, form, act, done=done, failed=failed)[0]


@login_required
def visit_list(request):
    user = request.user
    if not may(user, Capability.SEE_INTERNAL):
        raise PermissionDenied(_("您的角色无权执行此操作"))
    scope = request.GET.get("scope") or ("mine" if user.case_scope == "assigned" else "all")
    qs = my_visits(user) if scope == "mine" else visible_visits(user)
    status = request.GET.get("status", "")
    if status in VisitStatus.values:
        qs = qs.filter(status=status)
    qs = qs.prefetch_related("agents").order_by("status", "scheduled_at", "-requested_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "visits/visit_list.html", {
        "page": page, "rows": _rows(page.object_list), "scope": scope, "status": status,
        "statuses": VisitStatus.choices})


def _visit_for(request, pk):
    return get_object_or_404(visible_visits(request.user), pk=pk)


@login_required
def visit_detail(request, pk):
    visit = _visit_for(request, pk)
    user = request.user
    agent = is_agent(user, visit)
    may_schedule = may(user, Capability.SCHEDULE_VISIT) and visible_cases(user).filter(pk=visit.case_id).exists()
    return render(request, "visits/visit_detail.html", {
        "visit": visit, "address": services.masked_address(visit.address), "agents": visit.agents.all(),
        "files": visit.files.all(), "may_report": visit.status == VisitStatus.SCHEDULED and (agent or may_schedule),
        "may_cancel": visit.is_open and (may_schedule or visit.requested_by_id == user.pk),
        "may_reveal": agent or may(user, Capability.REVEAL_PII),
        "report_form": ReportForm(), "cancel_form": CancelForm()})


@login_required
@require_POST
def request_visit(request, case_pk):
    case = get_object_or_404(visible_cases(request.user), pk=case_pk)
    form = RequestForm(request.POST, case=case)
    _act(request, form, lambda d: services.request_visit(request.user, case, address=d["address"],
                                                         purpose=d["purpose"], note=d["note"]),
         _("外访申请已提交"), _("外访申请未提交：%(e)s"))
    return _back(request, case=case)


@login_required
@require_POST
def schedule_visit(request, pk):
    visit = _visit_for(request, pk)
    form = ScheduleForm(request.POST, agents=_agents_for(request.user))
    _act(request, form, lambda d: services.schedule_visit(request.user, visit, agents=list(d["agents"]),
                                                          scheduled_at=d["scheduled_at"]),
         _("外访已排期"), _("外访未排期：%(e)s"))
    return _back(request, visit)


@login_required
@require_POST
def report_visit(request, pk):
    visit = _visit_for(request, pk)
    form = ReportForm(request.POST, request.FILES)
    _act(request, form, lambda d: services.report_visit(request.user, visit, outcome=d["outcome"], note=d["note"],
                                                        files=d["files"], visited_at=d["visited_at"]),
         _("外访结果已登记"), _("外访结果未登记：%(e)s"))
    return _back(request, visit)


@login_required
@require_POST
def cancel_visit(request, pk):
    visit = _visit_for(request, pk)
    form = CancelForm(request.POST)
    _act(request, form, lambda d: services.cancel_visit(request.user, visit, reason=d["reason"]),
         _("外访已取消"), _("外访未取消：%(e)s"))
    return _back(request, visit)


@login_required
@require_POST
def reveal_address(request, pk):
    visit = _visit_for(request, pk)
    try:
        value = services.reveal_address(request.user, visit)
    except ValidationError:
        raise PermissionDenied(_("您的角色无权执行此操作")) from None
    return HttpResponse(format_html('<span class="revealed">{}</span>', value))


@login_required
def download(request, pk):
    vfile = get_object_or_404(VisitFile.objects.select_related("visit"), pk=pk,
                              visit__in=visible_visits(request.user).values("pk"))
    try:
        path = services.open_file(request.user, vfile)
    except ValidationError:
        raise PermissionDenied(_("您的角色无权执行此操作")) from None
    return sealed.file_response(path, filename=vfile.name, content_type=vfile.content_type)
