"""Web pages: the actions behind the case-page panel and the approvals queue for team leads and managers."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core.webforms import submit
from concord.cases.panels import case_page
from concord.cases.selectors import visible_cases
from concord.staff.roles import Capability, may, require_capability

from . import calculator, services
from .forms import CreditorDecisionForm, DecisionForm, HardshipForm, ProposeForm, form_ids
from .panel import bounds_view
from .selectors import approvals_queue, bounds_by_case, visible_arrangements


def _back(request, case):
    if request.POST.get("next") == "approvals":
        return redirect("arrangement-approvals")
    return redirect(reverse("case-detail", args=[case.pk]) + "#arrangements")


def _run(request, case, form, act, done, failed, name):
    """Submit; back where the form was. Refused, the form ``name`` comes back bound on the page it was sent from
    (the case page or the approvals page): what was typed stays and the errors stand beside the fields."""
    ok, _result = submit(request, form, act, done=done, failed=failed)
    if ok:
        return _back(request, case)
    if request.POST.get("next") == "approvals":
        return approvals_page(request, bound={name: form}, status=422)
    return case_page(request, case, bound={name: form})


@login_required
@require_POST
def propose(request, pk):
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    require_capability(request.user, Capability.PROPOSE_ARRANGEMENT)

    def act(d):
        grace = d.pop("grace_days")
        services.propose(request.user, case, grace_days=grace, **d)

    return _run(request, case, ProposeForm(request.POST, auto_id="propose_%s"), act, _("还款方案已提出"),
                _("还款方案未提出：%(e)s"), "arrangement-propose")


@login_required
@require_POST
def hardship(request, pk):
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    require_capability(request.user, Capability.PROPOSE_ARRANGEMENT)
    return _run(request, case, HardshipForm(request.POST, auto_id="hardship_%s"),
                lambda d: services.request_hardship_review(request.user, case, reason=d["reason"]),
                _("已转困难评估"), _("未能转困难评估：%(e)s"), "arrangement-hardship")


def _arrangement_for(request, pk):
    return get_object_or_404(visible_arrangements(request.user), pk=pk)


@login_required
@require_POST
def decide(request, pk, decision):
    arrangement = _arrangement_for(request, pk)
    require_capability(request.user, Capability.APPROVE_ARRANGEMENT)
    action = services.approve if decision == "approve" else services.reject
    done = _("方案已批准") if decision == "approve" else _("方案已驳回")
    return _run(request, arrangement.case, DecisionForm(request.POST, auto_id=form_ids("decide", arrangement.pk)),
                lambda d: action(request.user, arrangement, reason=d["reason"]), done, _("审批未完成：%(e)s"),
                f"arrangement-decide-{arrangement.pk}")


@login_required
@require_POST
def creditor_decision(request, pk):
    arrangement = _arrangement_for(request, pk)
    require_capability(request.user, Capability.RECORD_CREDITOR_DECISION)
    return _run(request, arrangement.case,
                CreditorDecisionForm(request.POST, auto_id=form_ids("creditor", arrangement.pk)),
                lambda d: services.record_creditor_decision(request.user, arrangement, **d),
                _("委托方审批结果已登记"), _("委托方审批结果未登记：%(e)s"), f"arrangement-creditor-{arrangement.pk}")


@login_required
@require_POST
def activate(request, pk):
    arrangement = _arrangement_for(request, pk)
    require_capability(request.user, Capability.PROPOSE_ARRANGEMENT)
    try:
        services.activate(request.user, arrangement)
    except ValidationError as exc:
        messages.error(request, _("方案未启动：%(e)s") % {"e": " ".join(exc.messages)})
    else:
        messages.success(request, _("方案已开始履行，履行期间暂停催收"))
    return _back(request, arrangement.case)


@login_required
def approvals(request):
    """待审批: pending arrangements within the user's authority, with the case, affordability and reason."""
    require_capability(request.user, Capability.APPROVE_ARRANGEMENT)
    return approvals_page(request)


def _bounds_row(arrangement, limits) -> dict:
    """What the approvals page says of one proposal's bounds: the case page's wording (``panel.bounds_view``), the
    longest term for the proposal's kind with its source, and what in the proposal now lies beyond them (the bounds
    are today's: the case's segment at the last end-of-day run may have moved since the proposal)."""
    months, by = limits.months(arrangement.kind)
    beyond = {field for field, _bound, _by in calculator.beyond_bounds(
        limits, arrangement.kind, arrangement.months, arrangement.discount_amount, arrangement.balance)}
    return {**bounds_view(limits), "months": months, "months_by": services.bound_source(by, limits),
            "months_beyond": "months" in beyond, "discount_beyond": "discount_amount" in beyond}


def approvals_page(request, *, bound: dict | None = None, status: int = 200):
    """The approvals queue, each arrangement with its own forms (own element ids); after a refusal the bound form
    (``arrangement-decide-<pk>`` / ``arrangement-creditor-<pk>``) stands in for the empty one."""
    bound = bound or {}
    queue = approvals_queue(request.user)
    # the offer bounds that apply to each (the creditor's and the strategy's, the tighter, with where each comes from),
    # read for all the rows at once: the page's queries do not grow with its rows (one policy and limit read per
    # creditor)
    prefetch_related_objects([a.case for a in queue], "accounts__product")
    limits = bounds_by_case(a.case for a in queue)
    for a in queue:
        a.bounds = _bounds_row(a, limits[a.case_id])
        a.decision_form = bound.get(f"arrangement-decide-{a.pk}") or DecisionForm(auto_id=form_ids("decide", a.pk))
        a.creditor_form = bound.get(f"arrangement-creditor-{a.pk}") or CreditorDecisionForm(
            auto_id=form_ids("creditor", a.pk))
    return render(request, "arrangements/approvals.html", {
        "queue": queue, "may_record_creditor": may(request.user, Capability.RECORD_CREDITOR_DECISION)},
        status=status)
