"""The case page (案件详情): the whole borrower file, the gate's answer for every number, and every action a user
takes on one case — reveal a masked value, add a contact point, record a payment, assign, claim and release, start
and log a call, record a promise, a task or a note. Each action validates its form, calls its service and comes
back to the page."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.compliance.provenance import usable_points
from concord.cases import services
from concord.cases.forms import AssignForm, ContactPointForm, PaymentForm
from concord.cases.panels import panels_for
from concord.cases.selectors import visible_case_or_404
from concord.compliance.selectors import pending_allow
from concord.core.masking import mask
from concord.core.webforms import apply_validation_error, errors_text, form_html, submit
from concord.debtors import services as debtor_services
from concord.debtors.models import ContactPoint, RelatedParty
from concord.loans import services as loan_services
from concord.staff.roles import Capability, may, require_capability
from concord.staff.selectors import assignable_users

from . import calls, claims, followups, promises
from .case_page import read_case_file, workbench
from .forms import CallDispositionForm, NoteForm, PromiseForm, TaskForm


def to_case_page(case, anchor=""):
    """Back to the case page, at a section (``#call``, ``#tasks`` …)."""
    return redirect(reverse("case-detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
def case_detail(request, pk):
    case = visible_case_or_404(request.user, pk)
    debtor = case.debtor
    # read once and shared: the contact table, the gate's options, the call targets and the panels all use these
    accounts = read_case_file(case)
    profile = debtor.financial_profiles.first()
    user = request.user
    may_edit, may_pay, may_assign = (may(user, Capability.EDIT_FILE), may(user, Capability.WRITE_LEDGER),
                                     may(user, Capability.ASSIGN))
    ctx = {
        "case": case, "debtor": debtor, "accounts": accounts,
        # only the points this case's creditor supplied, the debtor gave about this case, or sharing allows
        "contacts": [(c, mask(c.kind, c.value), f"contact:{c.pk}")
                     for c in usable_points(case, debtor.contact_points.all())],
        "parties": [(p, mask("phone", p.phone), f"party:{p.pk}") for p in debtor.related_parties.all()],
        "id_masked": mask("id_number", debtor.id_number),
        "employment": debtor.employments.first(), "profile": profile,
        "afford": debtor_services.affordability(profile),
        "assets": debtor.assets.all(), "credit_report": debtor.credit_reports.first(),
        "statement": debtor.bank_statements.first(), "other_loans": debtor.other_loans.all(),
        "assignments": case.assignments.select_related("collector", "team", "assigned_by")[:10],
        "may_reveal": may(user, Capability.REVEAL_PII), "may_edit": may_edit, "may_pay": may_pay, "may_assign": may_assign,
        # forms only for the roles that see them
        "contact_form": form_html(ContactPointForm) if may_edit else None,
        "payment_form": PaymentForm(accounts=accounts) if may_pay else None,
        "assign_form": AssignForm(collectors=assignable_users(user)) if may_assign else None,
        "activities": case.activities.select_related("actor", "recording")[:50],
        "panels": panels_for(request, case),
    }
    claims.renew_claim(user, case)
    ctx.update(workbench(request, case, pending_decision(request, case), accounts=accounts))
    ctx["parties"] = [(p, masked, target, ctx["parties_status"].get(p.pk)) for p, masked, target in ctx["parties"]]
    return render(request, "workbench/case_page.html", ctx)


@login_required
@require_POST
def reveal(request, pk):
    """Show one masked value in full (htmx fragment); audited by the service."""
    case = visible_case_or_404(request.user, pk)
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
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.EDIT_FILE)
    return _submit(request, case, ContactPointForm(request.POST),
                   # the debtor gave it in a conversation about this case: this case (and its creditor) may use it
                   lambda d: debtor_services.add_contact_point(request.user, case.debtor, source="debtor",
                                                               given_for_case=case, **d),
                   _("联系方式已添加"), _("联系方式未保存：%(e)s"))


@login_required
@require_POST
def record_payment(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WRITE_LEDGER)
    accounts = {str(a.pk): a for a in case.accounts.all()}

    def pay(d):
        return loan_services.record_payment(request.user, account=accounts[d.pop("account")], **d)

    return _submit(request, case, PaymentForm(request.POST, accounts=accounts.values()), pay,
                   _payment_message,
                   _("还款未入账：%(e)s"))


def _payment_message(result) -> str:
    payment, created = result
    if not created:
        return _("该笔还款此前已入账（流水号相同），未重复记录")
    excess = Decimal(payment.allocation.get("remainder", "0"))
    if excess > 0:
        return _("还款已入账；其中 %(x)s 元超出欠款，已作为溢缴款待退还（委托方可见）") % {"x": excess}
    return _("还款已入账")


@login_required
@require_POST
def assign(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.ASSIGN)
    return _submit(request, case, AssignForm(request.POST, collectors=assignable_users(request.user)),
                   lambda d: services.assign_case(request.user, case, collector=d["collector"], reason=d["reason"]),
                   _("案件已分配"), _("分案失败：%(e)s"))


@login_required
@require_POST
def claim(request, pk):
    case = visible_case_or_404(request.user, pk)
    try:
        claims.claim_case(request.user, case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已领取该案件"))
    return to_case_page(case)


@login_required
@require_POST
def release(request, pk):
    case = visible_case_or_404(request.user, pk)
    if claims.release_claim(request.user, case):
        messages.success(request, _("已释放该案件"))
    return redirect("my-work") if request.POST.get("next") == "work" else to_case_page(case)


@login_required
@require_POST
def call_start(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WORK_CASES)
    target = request.POST.get("target", "")
    kind, _sep, ident = target.partition(":")
    point = party = None
    if kind == "cp" and ident.isdigit():
        point = get_object_or_404(ContactPoint, pk=ident, debtor=case.debtor)
    elif kind == "rp" and ident.isdigit():
        party = get_object_or_404(RelatedParty, pk=ident, debtor=case.debtor)
    else:
        messages.error(request, _("请选择要拨打的号码"))
        return to_case_page(case, "call")
    try:
        decision = calls.start_call(request.user, case, contact_point=point, related_party=party)
    except ValidationError as exc:
        messages.error(request, _("不能拨打：%(e)s") % {"e": " ".join(exc.messages)})
        return to_case_page(case, "call")
    if not decision.allowed:
        messages.error(request, _("合规闸门拒绝：%(r)s") % {"r": decision.reason(get_language())})
        return to_case_page(case, "call")
    return redirect(reverse("case-detail", args=[case.pk]) + f"?call={decision.pk}#call")


def pending_decision(request, case):
    """The user's allow on this case named by ``?call=``, while it may still be logged."""
    return pending_allow(request.GET.get("call", ""), case=case, actor=request.user, channel="call")


@login_required
@require_POST
def call_log(request, pk):
    from concord.compliance.models import ContactDecision

    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WORK_CASES)
    form = CallDispositionForm(request.POST, request.FILES)
    decision = None
    if form.is_valid():
        decision = ContactDecision.objects.filter(pk=form.cleaned_data["decision"], case=case).first()
        if decision is None:
            form.add_error(None, _("放行决定不存在"))
        else:
            d = form.cleaned_data
            try:
                calls.log_call(request.user, case, decision, outcome=d["outcome"], result_codes=d["result_codes"],
                               duration_seconds=d["duration_seconds"] or 0, note=d["note"],
                               recording=d.get("recording"), recording_ref=d["recording_ref"],
                               promise_amount=d["promise_amount"], promise_date=d["promise_date"],
                               callback_at=d["callback_at"], dispute_summary=d["dispute_summary"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
    if form.errors:
        messages.error(request, _("通话记录未保存：%(e)s") % {"e": errors_text(form)})
        if decision is not None:
            return redirect(reverse("case-detail", args=[case.pk]) + f"?call={decision.pk}#call")
        return to_case_page(case, "call")
    messages.success(request, _("通话已记录"))
    return to_case_page(case, "activities")


@login_required
@require_POST
def promise_add(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WORK_CASES)
    submit(request, PromiseForm(request.POST),
           lambda d: promises.record_promise(request.user, case, amount=d["amount"], due_date=d["due_date"],
                                             note=d["note"]),
           done=_("承诺还款已登记"), failed=_("承诺还款未登记：%(e)s"))
    return to_case_page(case, "promises")


@login_required
@require_POST
def task_add(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WORK_CASES)
    submit(request, TaskForm(request.POST),
           lambda d: followups.create_task(request.user, case, title=d["title"], due_at=d["due_at"], kind=d["kind"]),
           done=_("跟进任务已添加"), failed=_("跟进任务未保存：%(e)s"))
    return to_case_page(case, "tasks")


@login_required
@require_POST
def note_add(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WORK_CASES)
    submit(request, NoteForm(request.POST), lambda d: followups.add_note(request.user, case, text=d["text"]),
           done=_("备注已保存"), failed=_("备注未保存：%(e)s"))
    return to_case_page(case, "activities")
