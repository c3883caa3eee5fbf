"""The bulk work page (/allocation/cases/): the cases a team lead or manager sees, filtered, sorted and paged on the
server on every column, per-collector totals of the filtered cases at the top (cases, balance, promises due
today, contacts today), and bulk actions on the ticked rows or on every case the filter finds — each a job."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from concord.cases.activities import CONTACT_KINDS
from concord.cases.models import Activity, ActivityDirection, Case, CaseStatus
from concord.cases.selectors import search_cases
from concord.core import clock
from concord.core.access import restrict
from concord.core.models import Job
from concord.staff.models import Team, User
from concord.staff.roles import Capability, may, require_capability
from concord.staff.selectors import assignable_users
from concord.workbench.models import Promise, PromiseStatus

from . import jobs
from .forms import SORTS, BulkActionForm, BulkFilterForm
from .models import BulkAction, BulkRequest

PAGE = 50


def _teams(user):
    if user.case_scope == "team":
        ids = set(user.led_teams.values_list("pk", flat=True)) | ({user.team_id} if user.team_id else set())
        return Team.objects.filter(pk__in=ids).order_by("name")
    return Team.objects.order_by("name")


def _actions(user):
    out = [(a.value, a.label) for a in BulkAction]
    if not may(user, Capability.RECALL_CASES):
        out = [a for a in out if a[0] != BulkAction.RECALL]
    if not may(user, Capability.SEND_MESSAGES):
        out = [a for a in out if a[0] != BulkAction.MESSAGE]
    return out


def filtered(user, data) -> tuple[BulkFilterForm, object]:
    """The filter form and the cases it finds among those ``user`` sees."""
    teams = list(_teams(user))
    collectors = list(assignable_users(user).select_related("team"))
    form = BulkFilterForm(data or None, teams=teams, collectors=collectors, statuses=CaseStatus.choices)
    qs = restrict(Case.objects.all(), user)
    if not form.is_bound:
        return form, qs.filter(status__in=(CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ON_HOLD))
    if not form.is_valid():
        return form, qs.none()
    d = form.cleaned_data
    if d["creditor"]:
        qs = qs.filter(creditor=d["creditor"])
    if d["placement"]:
        qs = qs.filter(placement=d["placement"])
    if d["bucket"]:
        qs = qs.filter(bucket__in=d["bucket"])
    qs = qs.filter(status=d["status"]) if d["status"] else qs.filter(
        status__in=(CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ON_HOLD))
    if d["team"] == "pool":
        qs = qs.filter(assigned_team__isnull=True)
    elif d["team"]:
        qs = qs.filter(assigned_team_id=int(d["team"]))
    if d["collector"] == "none":
        qs = qs.filter(assigned_collector__isnull=True)
    elif d["collector"]:
        qs = qs.filter(assigned_collector_id=int(d["collector"]))
    if d["province"]:
        qs = qs.filter(debtor__province=d["province"])
    if d["city"]:
        qs = qs.filter(debtor__city=d["city"].strip())
    for key, lookup in (("dpd_min", "max_dpd__gte"), ("dpd_max", "max_dpd__lte"),
                        ("balance_min", "total_balance__gte"), ("balance_max", "total_balance__lte")):
        if d[key] is not None:
            qs = qs.filter(**{lookup: d[key]})
    qs = search_cases(qs, d["q"])
    return form, qs


def describe_filter(form) -> str:
    """The filter in words ("委托方：示例银行；账龄：M2") for the request's record and the job page."""
    if not form.is_bound or not form.is_valid():
        return ""
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name == "sort" or value in (None, "", []):
            continue
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            labels = dict((str(k), str(v)) for k, v in field.choices)
            value = "、".join(labels.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
        parts.append(f"{field.label}：{value}")
    return "；".join(parts)


def _ordering(sort: str) -> list[str]:
    key = (sort or "").lstrip("-")
    if key not in SORTS:
        return ["-max_dpd", "id"]
    return [("-" if sort.startswith("-") else "") + SORTS[key], "id"]


def collector_totals(qs) -> list[dict]:
    """Per collector of the filtered cases: cases, balance, promises due today, contacts made today."""
    today = clock.today()
    start = clock.day_start(today)
    rows = list(qs.order_by().values("assigned_collector_id").annotate(n=Count("id"), balance=Sum("total_balance")))
    ids = [r["assigned_collector_id"] for r in rows if r["assigned_collector_id"]]
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    due = dict(Promise.objects.filter(case__in=qs.order_by().values("id"), status=PromiseStatus.PENDING,
                                      due_date=today).order_by().values_list("case__assigned_collector_id")
               .annotate(n=Count("id")).values_list("case__assigned_collector_id", "n"))
    contacts = dict(Activity.objects.filter(actor_id__in=ids, at__gte=start, kind__in=CONTACT_KINDS,
                                            direction=ActivityDirection.OUTBOUND).order_by()
                    .values_list("actor_id").annotate(n=Count("id")).values_list("actor_id", "n"))
    out = [{"id": r["assigned_collector_id"], "name": names.get(r["assigned_collector_id"], _("（未分配）")),
            "cases": r["n"], "balance": r["balance"] or Decimal(0), "due": due.get(r["assigned_collector_id"], 0),
            "contacts": contacts.get(r["assigned_collector_id"], 0)} for r in rows]
    return sorted(out, key=lambda r: (r["id"] is None, str(r["name"])))


@login_required
def cases(request):
    require_capability(request.user, Capability.BULK_ACTIONS)
    form, qs = filtered(request.user, request.GET)
    sort = request.GET.get("sort", "")
    page = Paginator(qs.select_related("creditor", "debtor", "assigned_team", "assigned_collector")
                     .order_by(*_ordering(sort)), PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for key in ("page", "sort"):
        query.pop(key, None)
    action_form = BulkActionForm(actions=_actions(request.user), teams=_teams(request.user),
                                 collectors=assignable_users(request.user).select_related("team"),
                                 initial={"expected": page.paginator.count})
    totals = collector_totals(qs)
    return render(request, "allocation/bulk.html", {
        "form": form, "page": page, "query": query.urlencode(), "sort": sort, "totals": totals,
        "total_cases": sum(t["cases"] for t in totals), "total_balance": sum(t["balance"] for t in totals),
        "action_form": action_form,
        "columns": [("reference", _("案件编号")), ("debtor", _("债务人")), ("creditor", _("委托方")),
                    ("bucket", _("账龄")), ("dpd", _("逾期天数")), ("balance", _("欠款（元）")),
                    ("province", _("地区")), ("status", _("状态")), ("team", _("小组")),
                    ("collector", _("催收员")), ("opened", _("立案日期"))]})


@login_required
def act(request):
    """Start a bulk action on the ticked cases or on every case the filter (in the query string) finds."""
    require_capability(request.user, Capability.BULK_ACTIONS)
    if request.method != "POST":
        return redirect("allocation-bulk")
    form = BulkActionForm(request.POST, actions=_actions(request.user), teams=_teams(request.user),
                          collectors=assignable_users(request.user).select_related("team"))
    back = redirect(f"{request.path.rsplit('act/', 1)[0]}?{request.POST.get('query', '')}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{' '.join(errors)}")
        return back
    d = form.cleaned_data
    from django.http import QueryDict

    filter_form, qs = filtered(request.user, QueryDict(request.POST.get("query", "")))
    if d["scope"] == "filter":
        ids = list(qs.order_by().values_list("id", flat=True))
        selection = _("筛选：%(q)s") % {"q": describe_filter(filter_form) or _("全部")}
        if d.get("expected") is not None and len(ids) != d["expected"]:
            messages.warning(request, _("筛选结果已从 %(a)s 变为 %(b)s 个案件，已按当前结果执行") % {
                "a": d["expected"], "b": len(ids)})
    else:
        ticked = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
        ids = list(restrict(Case.objects.filter(pk__in=ticked), request.user).values_list("id", flat=True))
        selection = _("勾选 %(n)s 个案件") % {"n": len(ids)}
    options = {"reason": d["reason"]}
    if d["action"] == BulkAction.REASSIGN:
        options.update({"team": int(d["team"]) if d["team"] else None,
                        "collector": int(d["collector"]) if d["collector"] else None})
    if d["action"] == BulkAction.MESSAGE:
        options.update({"channel": d["channel"], "template": d["template"].strip()})
    try:
        job = jobs.request_bulk(request.user, d["action"], ids, options=options, selection=selection)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    return redirect("allocation-job", pk=job.pk)


@login_required
def job(request, pk):
    """A job's progress (percent, rows, ETA) and result; the page refreshes itself while it runs."""
    j = get_object_or_404(Job, pk=pk, kind__in=("allocation.apply", "allocation.bulk"))
    if j.created_by_id != request.user.pk and not may(request.user, Capability.ALLOCATION_RULES):
        raise PermissionDenied(_("只能查看自己发起的作业"))
    req = BulkRequest.objects.filter(pk=j.params.get("request")).first() if j.kind == "allocation.bulk" else None
    template = "allocation/_job.html" if request.headers.get("HX-Request") else "allocation/job.html"
    return render(request, template, {"job": j, "req": req, "result": j.result or {}})
