"""Web pages: portfolio dashboard, case list, and the case page with the whole borrower file."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core.charts import stacked_bars
from concord.core.masking import mask
from concord.debtors import services as debtor_services
from concord.debtors.models import ContactPoint, RelatedParty
from concord.loans import services as loan_services
from concord.staff.models import User
from concord.staff.roles import MAY_ASSIGN, MAY_CONFIGURE, MAY_EDIT_FILE, MAY_REVEAL_PII, MAY_WRITE_LEDGER, Role

from . import services
from .panels import panels_for
from concord.core.webforms import apply_validation_error, submit

from .forms import AssignForm, CaseFilterForm, ContactPointForm, NewCaseForm, PaymentForm
from .selectors import filter_cases, portfolio_summary, visible_cases


def _require(user, roles):
    if user.role not in roles:
        raise PermissionDenied(_("您的角色无权执行此操作"))


@login_required
def dashboard(request):
    summary = portfolio_summary(request.user)
    chart = stacked_bars(
        summary["creditors"],
        [(b, [summary["grid"][c][b]["balance"] for c in summary["creditors"]]) for b in summary["buckets"]],
        title=_("各委托方欠款余额（按账龄）"))
    count_chart = stacked_bars(
        summary["creditors"],
        [(b, [summary["grid"][c][b]["n"] for c in summary["creditors"]]) for b in summary["buckets"]],
        title=_("各委托方案件数（按账龄）"))
    return render(request, "cases/dashboard.html", {"s": summary, "chart": chart, "count_chart": count_chart})


@login_required
def case_list(request):
    base = visible_cases(request.user)
    form = CaseFilterForm(request.GET or None, visible_cases=base)
    qs = base
    if form.is_bound and form.is_valid():
        qs = filter_cases(base, form.filters())
    elif form.is_bound:
        qs = base.none()
    # max_dpd is not indexed (the end-of-day run rewrites it daily): without joins the page is a top-N sort;
    # the related rows of the 50 cases are read afterwards (docs/eod.md, "Measured")
    qs = qs.select_related(None).prefetch_related("creditor", "debtor", "assigned_collector", "assigned_team")
    page = Paginator(qs.order_by("-max_dpd", "id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/case_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _case_for(request, pk):
    return get_object_or_404(visible_cases(request.user), pk=pk)


@login_required
def case_detail(request, pk):
    from .case_page import form_html, read_case_file, workbench
    from .claims import renew_claim
    from .work_views import pending_decision

    case = _case_for(request, pk)
    debtor = case.debtor
    # read once and shared: the contact table, the gate's options, the call targets and the panels all use these
    accounts = read_case_file(case)
    profile = debtor.financial_profiles.first()
    user = request.user
    may_edit, may_pay, may_assign = (user.role in MAY_EDIT_FILE, user.role in MAY_WRITE_LEDGER,
                                     user.role in MAY_ASSIGN)
    ctx = {
        "case": case, "debtor": debtor, "accounts": accounts,
        "contacts": [(c, mask(c.kind, c.value), f"contact:{c.pk}") for c in debtor.contact_points.all()],
        "parties": [(p, mask("phone", p.phone), f"party:{p.pk}") for p in debtor.related_parties.all()],
        "id_masked": mask("id_number", debtor.id_number),
        "employment": debtor.employments.first(), "profile": profile,
        "afford": debtor_services.affordability(profile),
        "assets": debtor.assets.all(), "credit_report": debtor.credit_reports.first(),
        "statement": debtor.bank_statements.first(), "other_loans": debtor.other_loans.all(),
        "assignments": case.assignments.select_related("collector", "team", "assigned_by")[:10],
        "may_reveal": user.role in MAY_REVEAL_PII, "may_edit": may_edit, "may_pay": may_pay, "may_assign": may_assign,
        # forms only for the roles that see them
        "contact_form": form_html(ContactPointForm) if may_edit else None,
        "payment_form": PaymentForm(accounts=accounts) if may_pay else None,
        "assign_form": AssignForm(collectors=_assignable(user)) if may_assign else None,
        "activities": case.activities.select_related("actor", "recording")[:50],
        "panels": panels_for(request, case),
    }
    renew_claim(user, case)
    ctx.update(workbench(request, case, pending_decision(request, case), accounts=accounts))
    ctx["parties"] = [(p, masked, target, ctx["parties_status"].get(p.pk)) for p, masked, target in ctx["parties"]]
    return render(request, "cases/case_detail.html", ctx)


def _assignable(user):
    qs = User.objects.filter(role__in=[Role.COLLECTOR, Role.TEAM_LEAD, Role.FIELD_AGENT], is_active=True)
    if user.role == Role.TEAM_LEAD:
        qs = qs.filter(team__in=list(user.led_teams.all()) + ([user.team] if user.team_id else []))
    return qs.order_by("username")


@login_required
@require_POST
def reveal(request, pk):
    """Show one masked value in full (htmx fragment); audited by the service."""
    case = _case_for(request, pk)
    target, field = request.POST.get("target", ""), ""
    if target == "id_number":
        obj, field = case.debtor, "id_number"
    elif target.startswith("contact:"):
        obj = get_object_or_404(ContactPoint, pk=target.split(":", 1)[1], debtor=case.debtor)
        field = "value"
    elif target.startswith("party:"):
        obj = get_object_or_404(RelatedParty, pk=target.split(":", 1)[1], debtor=case.debtor)
        field = "phone"
    else:
        return HttpResponse(_("未知字段"), status=400)
    value = debtor_services.reveal(request.user, obj, field)
    return HttpResponse(format_html('<span class="revealed">{}</span>', value))


def _submit(request, case, form, act, done, failed):
    """Submit ``form`` to the service ``act`` (see :func:`concord.core.webforms.submit`), back to the case page."""
    submit(request, form, act, done=done, failed=failed)
    return redirect("case-detail", pk=case.pk)


@login_required
@require_POST
def add_contact(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_EDIT_FILE)
    return _submit(request, case, ContactPointForm(request.POST),
                   lambda d: debtor_services.add_contact_point(request.user, case.debtor, source="debtor", **d),
                   _("联系方式已添加"), _("联系方式未保存：%(e)s"))


@login_required
@require_POST
def record_payment(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_WRITE_LEDGER)
    accounts = {str(a.pk): a for a in case.accounts.all()}

    def pay(d):
        return loan_services.record_payment(request.user, account=accounts[d.pop("account")], **d)

    return _submit(request, case, PaymentForm(request.POST, accounts=accounts.values()), pay,
                   lambda result: _("还款已入账") if result[1] else _("该笔还款此前已入账（流水号相同），未重复记录"),
                   _("还款未入账：%(e)s"))


@login_required
@require_POST
def assign(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_ASSIGN)
    return _submit(request, case, AssignForm(request.POST, collectors=_assignable(request.user)),
                   lambda d: services.assign_case(request.user, case, collector=d["collector"], reason=d["reason"]),
                   _("案件已分配"), _("分案失败：%(e)s"))


@login_required
def new_case(request):
    """登记案件: a manager enters one debtor and account by hand; all of it is saved or none."""
    _require(request.user, MAY_CONFIGURE)
    form = NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        product = d["creditor"].products.filter(kind=d["product_kind"]).first()
        if product is None:
            form.add_error("product_kind", _("该委托方没有此类产品，请先在运维后台添加"))
        else:
            try:
                case = services.place_single_account(
                    request.user, creditor=d["creditor"], product=product, full_name=d["full_name"],
                    id_type=d["id_type"], id_number=d["id_number"], mobile=d["mobile"], account=form.account_terms())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("案件已登记"))
                return redirect("case-detail", pk=case.pk)
    return render(request, "cases/new_case.html", {"form": form}, status=400 if form.errors else 200)
