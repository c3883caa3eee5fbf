"""The compliance console (/compliance/): decisions, holds, complaints, packs, qualifications, regulator export.

Roles: compliance, admin, manager. Views validate input and call the services; they never save models.
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import clock
from concord.core.charts import stacked_bars
from concord.core.webforms import apply_validation_error, errors_text, submit
from concord.creditors.models import Creditor
from concord.staff.roles import Capability, may

from . import selectors, services
from .export import export_response
from .forms import (
    AssignComplaintForm,
    ComplaintForm,
    DecisionFilterForm,
    ExportForm,
    HoldForm,
    OverridesForm,
    QualificationForm,
    ReleaseForm,
    ResolveForm,
)
from .models import Complaint, CreditorPolicy, Hold, case_model
from .packs import all_packs


def console(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may(request.user, Capability.COMPLIANCE_CONSOLE):
            raise PermissionDenied(_("您的角色无权访问合规控制台"))
        return view(request, *args, **kwargs)
    return wrapper


def _act(request, form, act, done, failed, back):
    submit(request, form, act, done=done, failed=failed)
    return redirect(*back) if isinstance(back, tuple) else redirect(back)


def _page(request, qs, size=50):
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# -- decisions --------------------------------------------------------------------------------------------------
@console
def decisions(request):
    form = DecisionFilterForm(request.GET or None, rules=selectors.rule_codes())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.decisions(filters) if not (form.is_bound and form.errors) else selectors.decisions({}).none()
    page, query = _page(request, qs)
    dates, series = selectors.denials_by_rule(selectors.decisions({k: v for k, v in filters.items()
                                                                   if k not in ("date_from", "date_to")}))
    chart = stacked_bars([d.strftime("%m-%d") for d in dates], series, title=_("近 14 天按规则统计的拒绝次数")) \
        if series else ""
    return render(request, "compliance/decisions.html", {"form": form, "page": page, "query": query,
                                                         "chart": chart, "lang": get_language()})


@console
def decision_detail(request, pk):
    from .models import ContactDecision
    d = get_object_or_404(ContactDecision.objects.select_related("actor", "creditor", "case", "debtor"), pk=pk)
    return render(request, "compliance/decision_detail.html", {"d": d, "lang": get_language()})


@console
def case_options(request, pk):
    case = get_object_or_404(case_model().objects.select_related("debtor", "creditor"), pk=pk)
    options = selectors.contact_options(case, request.user)
    return render(request, "compliance/case_options.html", {"case": case, "options": options,
                                                            "lang": get_language(), "now": clock.now()})


# -- holds ------------------------------------------------------------------------------------------------------
@console
def holds(request):
    show = request.GET.get("show", "active")
    qs = selectors.holds({"active": True, "released": False}.get(show))
    page, query = _page(request, qs)
    return render(request, "compliance/holds.html", {"page": page, "query": query, "show": show,
                                                     "form": HoldForm(), "release_form": ReleaseForm()})


@console
@require_POST
def hold_place(request):
    def act(d):
        case = d["case"]
        services.place_hold(request.user, debtor=case.debtor, kind=d["kind"], reason=d["reason"],
                            creditor=case.creditor if d["this_creditor_only"] else None, until=d["until"])
    return _act(request, HoldForm(request.POST), act, _("已暂停催收"), _("未能暂停：%(e)s"), "compliance-holds")


@console
@require_POST
def hold_release(request, pk):
    hold = get_object_or_404(Hold, pk=pk)
    return _act(request, ReleaseForm(request.POST),
                lambda d: services.release_hold(request.user, hold, reason=d["reason"]),
                _("已解除暂停"), _("未能解除：%(e)s"), "compliance-holds")


# -- complaints -------------------------------------------------------------------------------------------------
@console
def complaints(request):
    status = request.GET.get("status", "open")
    page, query = _page(request, selectors.complaint_queue(status))
    now = clock.now()
    rows = [(c, c.due_at - now) for c in page]
    return render(request, "compliance/complaints.html", {"page": page, "rows": rows, "query": query,
                                                          "status": status, "form": ComplaintForm(), "now": now})


@console
@require_POST
def complaint_open(request):
    def act(d):
        case = d["case"]
        services.open_complaint(request.user, debtor=case.debtor, creditor=case.creditor, case=case,
                                kind=d["kind"], source=d["source"], category=d["category"],
                                severity=d["severity"], summary=d["summary"], owner=d["owner"])
    return _act(request, ComplaintForm(request.POST), act, _("已登记，并已暂停对该债务人的催收"),
                _("未能登记：%(e)s"), "compliance-complaints")


@console
def complaint_detail(request, pk):
    c = get_object_or_404(Complaint.objects.select_related("debtor", "creditor", "owner", "case", "hold"), pk=pk)
    return render(request, "compliance/complaint_detail.html", {
        "c": c, "left": c.due_at - clock.now(), "resolve_form": ResolveForm(),
        "assign_form": AssignComplaintForm(initial={"owner": c.owner_id})})


@console
@require_POST
def complaint_resolve(request, pk):
    c = get_object_or_404(Complaint, pk=pk)
    return _act(request, ResolveForm(request.POST),
                lambda d: services.resolve_complaint(request.user, c, resolution=d["resolution"], reply=d["reply"]),
                _("已办结，暂停已解除"), _("未能办结：%(e)s"), ("compliance-complaint", c.pk))


@console
@require_POST
def complaint_assign(request, pk):
    c = get_object_or_404(Complaint, pk=pk)
    return _act(request, AssignComplaintForm(request.POST),
                lambda d: services.assign_complaint(request.user, c, d["owner"]),
                _("已指定负责人"), _("未能指定：%(e)s"), ("compliance-complaint", c.pk))


# -- export -----------------------------------------------------------------------------------------------------
@console
def export(request):
    form = ExportForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return export_response(request.user, **form.cleaned_data)
    return render(request, "compliance/export.html", {"form": form})


# -- packs ------------------------------------------------------------------------------------------------------
@console
def packs(request):
    policies = {p.creditor_id: p for p in CreditorPolicy.objects.all()}
    creditors = [(c, policies.get(c.pk)) for c in Creditor.objects.order_by("code")]
    form = OverridesForm(request.POST or None)
    if request.method == "POST":
        if not may(request.user, Capability.EDIT_RULES):
            raise PermissionDenied(_("只有合规专员或系统管理员可以修改规则"))
        if form.is_valid():
            try:
                services.set_overrides(request.user, form.cleaned_data["creditor"], form.cleaned_data["overrides"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
        if not form.errors:
            messages.success(request, _("规则收紧已保存"))
            return redirect("compliance-packs")
        messages.error(request, _("规则收紧未保存：%(e)s") % {"e": errors_text(form)})
    return render(request, "compliance/packs.html", {"packs": all_packs(), "creditors": creditors, "form": form,
                                                     "lang": get_language()})


# -- qualifications ---------------------------------------------------------------------------------------------
@console
def qualifications(request):
    form = QualificationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_qualification(request.user, user=d["user"], kind=d["kind"], passed_on=d["passed_on"],
                                              expires_on=d["expires_on"], reference=d["reference"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
        if not form.errors:
            messages.success(request, _("资质已登记"))
            return redirect("compliance-qualifications")
        messages.error(request, _("资质未登记：%(e)s") % {"e": errors_text(form)})
    lapsing, missing = selectors.lapsing_qualifications()
    # one answer per person, the same in both tables: a lapsed row says whether its holder may still collect
    blocked = {u.pk for u, _m in missing}
    for q in lapsing:
        q.blocks = q.user_id in blocked
    staff = selectors.qualified_staff_count()
    return render(request, "compliance/qualifications.html", {"form": form, "lapsing": lapsing, "missing": missing,
                                                              "today": clock.today(), "staff": staff,
                                                              "ready": staff - len(missing)})
