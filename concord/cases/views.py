"""Web pages of the case register: the portfolio dashboard, the case list and a case entered by hand. The case
page itself is the workbench's (``concord.workbench.case_views``)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.core.charts import stacked_bars
from concord.core.webforms import apply_validation_error
from concord.debtors.selectors import is_personal_search
from concord.staff.roles import Capability, require_capability

from . import services
from .forms import CaseFilterForm, NewCaseForm
from .selectors import filter_cases, portfolio_summary, visible_cases


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
    """The case list. Filters come by GET (links, bookmarks) or by POST (the filter form): a search by phone
    number, ID number or e-mail address only by POST, so that personal data never lands in a URL (access logs,
    browser history); such a search in a URL is refused unread."""
    base = visible_cases(request.user)
    data = request.POST if request.method == "POST" else request.GET
    form = CaseFilterForm(data or None, visible_cases=base)
    qs = base
    if request.method != "POST" and is_personal_search(request.GET.get("q", "")):
        form.is_valid()
        form.add_error("q", _("按手机号、证件号码或邮箱搜索请使用搜索框（不会出现在网址中），请重新输入"))
        qs = base.none()
    elif form.is_bound and form.is_valid():
        qs = filter_cases(base, form.filters())
    elif form.is_bound:
        qs = base.none()
    # max_dpd is not indexed (the end-of-day run rewrites it daily): without joins the page is a top-N sort;
    # the related rows of the 50 cases are read afterwards (docs/eod.md, "Measured")
    qs = qs.select_related(None).prefetch_related("creditor", "debtor", "assigned_collector", "assigned_team")
    page = Paginator(qs.order_by("-max_dpd", "id"), 50).get_page(data.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/case_list.html", {"form": form, "page": page, "query": query.urlencode(),
                                                    "posted": request.method == "POST"})


@login_required
def new_case(request):
    """登记案件: a manager enters one debtor and account by hand; all of it is saved or none."""
    require_capability(request.user, Capability.CONFIGURE)
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
