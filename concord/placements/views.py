"""The managers' placement pages (/placements/): every batch with its figures; a batch's page with its terms (edited
here), its accounts (placed, retained with the reason, recalled with the open promises and arrangements reported),
and a recall of a selection by hand."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import clock
from concord.creditors import services as creditors
from concord.creditors.models import AccountState, Placement
from concord.staff.roles import Capability, may

from . import selectors, services
from .forms import RecallForm, TermsForm


def _manager(request):
    if not may(request.user, Capability.CONFIGURE):
        raise PermissionDenied(_("只有催收经理和系统管理员可以管理委案批次"))


@login_required
def batch_list(request):
    _manager(request)
    today = clock.today()
    rows = [selectors.batch_figures(p, today) for p in selectors.batches()[:200]]
    return render(request, "placements/list.html", {"rows": rows, "today": today})


def _detail_context(request, placement, *, terms_form=None, recall_form=None):
    today = clock.today()
    figures = selectors.batch_figures(placement, today)
    accounts = list(selectors.batch_accounts(placement))
    for row in accounts:
        row.recovered = figures.by_account.get(row.account_id)
    recallable = [(str(r.account_id), r.account.reference) for r in accounts
                  if r.state in (AccountState.PLACED, AccountState.RETAINED)]
    return {"placement": placement, "figures": figures, "accounts": accounts,
            "recovered": figures.by_account, "can_recall": may(request.user, Capability.RECALL_CASES),
            "terms_form": terms_form or TermsForm(placement=placement),
            "recall_form": recall_form or RecallForm(choices=recallable), "recallable": recallable}


@login_required
def batch_detail(request, pk):
    _manager(request)
    placement = get_object_or_404(Placement.objects.select_related("creditor"), pk=pk)
    return render(request, "placements/detail.html", _detail_context(request, placement))


@login_required
@require_POST
def batch_terms(request, pk):
    _manager(request)
    placement = get_object_or_404(Placement.objects.select_related("creditor"), pk=pk)
    form = TermsForm(request.POST, placement=placement)
    if form.is_valid():
        try:
            creditors.set_placement_terms(request.user, placement, products=form.chosen_products(), **form.changes())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("批次条款已保存"))
            return redirect("placement-detail", pk=placement.pk)
    return render(request, "placements/detail.html", _detail_context(request, placement, terms_form=form),
                  status=400)


@login_required
@require_POST
def batch_recall(request, pk):
    _manager(request)
    if not may(request.user, Capability.RECALL_CASES):
        raise PermissionDenied(_("您无权退案"))
    placement = get_object_or_404(Placement.objects.select_related("creditor"), pk=pk)
    context = _detail_context(request, placement)
    form = RecallForm(request.POST, choices=context["recallable"])
    if form.is_valid():
        try:
            done = services.recall_selection(request.user, placement, form.cleaned_data["accounts"],
                                             reason=form.cleaned_data["reason"])
        except (ValueError, ValidationError) as exc:
            form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已退案 %(a)s 笔借据（%(c)s 个案件结束）") % {
                "a": len(done["accounts"]), "c": len(done["cases"])})
            return redirect("placement-detail", pk=placement.pk)
    context["recall_form"] = form
    return render(request, "placements/detail.html", context, status=400)
