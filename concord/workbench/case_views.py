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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concord.compliance.provenance import usable_points
from concord.cases import services
from concord.cases.forms import AssignForm, ContactPointForm, PaymentForm
from concord.cases.panels import bound_form, case_page, panels_for
from concord.cases.selectors import visible_case_or_404
from concord.compliance.selectors import pending_allow
from concord.core import clock
from concord.core.masking import mask
from concord.core.webforms import apply_validation_error, errors_text, form_html, submit
from concord.debtors import services as debtor_services
from concord.debtors.models import ContactPoint, RelatedParty
from concord.loans import services as loan_services
from concord.staff.roles import Capability, may, require_capability
from concord.staff.selectors import assignable_users

from . import calls, claims, followups, promises
from .case_page import read_case_file, workbench
from .forms import source_label
from .forms import AssetForm, CallDispositionForm, FinancialProfileForm, NoteForm, PromiseForm, TaskForm


def to_case_page(case, anchor=""):
    """Back to the case page, at a section (``#call``, ``#tasks`` …)."""
    return redirect(reverse("case-detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
def case_detail(request, pk):
    return render_case_page(request, visible_case_or_404(request.user, pk))


def render_case_page(request, case, *, status=200):
    """The case page. After a refused form (``cases.panels.case_page``) the bound form stands in for the empty one,
    with what was typed and the errors beside its fields; the page's script then swaps in only that form's panel."""
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
        "profile_source": source_label(profile.source) if profile else "",
        "afford": debtor_services.affordability(profile),
        "assets": debtor.assets.all(), "credit_report": debtor.credit_reports.first(),
        "statement": debtor.bank_statements.first(), "other_loans": debtor.other_loans.all(),
        "assignments": case.assignments.select_related("collector", "team", "assigned_by")[:10],
        "may_reveal": may(user, Capability.REVEAL_PII), "may_edit": may_edit, "may_pay": may_pay, "may_assign": may_assign,
        # forms only for the roles that see them
        "contact_form": bound_form(request, "contact", form_html(ContactPointForm, auto_id="contact_%s"))
        if may_edit else None,
        "profile_form": bound_form(request, "profile", form_html(FinancialProfileForm, auto_id="profile_%s"))
        if may_edit else None,
        "asset_form": bound_form(request, "asset", form_html(AssetForm, auto_id="asset_%s")) if may_edit else None,
        "payment_form": bound_form(request, "payment", PaymentForm(accounts=accounts, auto_id="payment_%s"))
        if may_pay else None,
        "assign_form": bound_form(request, "assign", AssignForm(collectors=assignable_users(user), auto_id="assign_%s"))
        if may_assign else None,
        "activities": case.activities.select_related("actor", "recording", "related_party")[:50],
        "panels": panels_for(request, case),
    }
    claims.renew_claim(user, case)
    pending = getattr(request, "concord_pending_call", None) or pending_decision(request, case)
    ctx.update(workbench(request, case, pending, accounts=accounts))
    for name, key in (("call", "call_form"), ("promise", "promise_form"), ("task", "task_form"), ("note", "note_form")):
        ctx[key] = bound_form(request, name, ctx[key])
    ctx["parties"] = [(p, masked, target, ctx["parties_status"].get(p.pk)) for p, masked, target in ctx["parties"]]
    return render(request, "workbench/case_page.html", ctx, status=status)


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


def _submit(request, case, name, form, act, done, failed, anchor=""):
    """Submit ``form`` to the service ``act`` (see :func:`concord.core.webforms.submit`): back to the case page on
    success, else the page again with the bound form ``name`` (what was typed, the errors beside the fields)."""
    ok, _result = submit(request, form, act, done=done, failed=failed)
    if not ok:
        return case_page(request, case, bound={name: form})
    return to_case_page(case, anchor)


def _case_form(name, form_class, capability, act, *, done, failed, anchor):
    """The view of a case-page form that is the same every time: the user sees the case and holds ``capability``;
    the form ``name`` (element ids ``<name>_…``) is validated and ``act(user, case, cleaned_data)`` called, then
    :func:`_submit` — back to the page at ``anchor``, or the page again with the bound form."""
    @login_required
    @require_POST
    def view(request, pk):
        case = visible_case_or_404(request.user, pk)
        require_capability(request.user, capability)
        return _submit(request, case, name, form_class(request.POST, auto_id=f"{name}_%s"),
                       lambda d: act(request.user, case, d), done, failed, anchor)

    view.__name__ = view.__qualname__ = f"{name}_form"
    return view


# the debtor gave it in a conversation about this case: this case (and its creditor) may use it
add_contact = _case_form(
    "contact", ContactPointForm, Capability.EDIT_FILE,
    lambda user, case, d: debtor_services.add_contact_point(user, case.debtor, source="debtor", given_for_case=case,
                                                            **d),
    done=gettext_lazy("联系方式已添加"), failed=gettext_lazy("联系方式未保存：%(e)s"), anchor="contacts")
# the debtor's financial situation as they state it (income, household expenses, other debt payments): what the
# arrangement calculator rests on; audited by the service
add_profile = _case_form(
    "profile", FinancialProfileForm, Capability.EDIT_FILE,
    lambda user, case, d: debtor_services.record_financial_profile(user, case.debtor, as_of=clock.today(), **d),
    done=gettext_lazy("经济状况已登记"), failed=gettext_lazy("经济状况未保存：%(e)s"), anchor="finances")
add_asset = _case_form(
    "asset", AssetForm, Capability.EDIT_FILE,
    lambda user, case, d: debtor_services.add_asset(user, case.debtor, as_of=clock.today(), **d),
    done=gettext_lazy("资产已登记"), failed=gettext_lazy("资产未保存：%(e)s"), anchor="assets")
promise_add = _case_form(
    "promise", PromiseForm, Capability.WORK_CASES,
    lambda user, case, d: promises.record_promise(user, case, amount=d["amount"], due_date=d["due_date"],
                                                  note=d["note"]),
    done=gettext_lazy("承诺还款已登记"), failed=gettext_lazy("承诺还款未登记：%(e)s"), anchor="promises")
task_add = _case_form(
    "task", TaskForm, Capability.WORK_CASES,
    lambda user, case, d: followups.create_task(user, case, title=d["title"], due_at=d["due_at"], kind=d["kind"]),
    done=gettext_lazy("跟进任务已添加"), failed=gettext_lazy("跟进任务未保存：%(e)s"), anchor="tasks")
note_add = _case_form(
    "note", NoteForm, Capability.WORK_CASES,
    lambda user, case, d: followups.add_note(user, case, text=d["text"]),
    done=gettext_lazy("备注已保存"), failed=gettext_lazy("备注未保存：%(e)s"), anchor="activities")


@login_required
@require_POST
def record_payment(request, pk):
    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WRITE_LEDGER)
    accounts = {str(a.pk): a for a in case.accounts.all()}

    def pay(d):
        return loan_services.record_payment(request.user, account=accounts[d.pop("account")], **d)

    return _submit(request, case, "payment", PaymentForm(request.POST, accounts=accounts.values(), auto_id="payment_%s"),
                   pay, _payment_message, _("还款未入账：%(e)s"), "accounts")


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
    return _submit(request, case, "assign", AssignForm(request.POST, collectors=assignable_users(request.user),
                                                       auto_id="assign_%s"),
                   lambda d: services.assign_case(request.user, case, collector=d["collector"], reason=d["reason"]),
                   _("案件已分配"), _("分案失败：%(e)s"), "assignments")


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
        text = _("合规闸门拒绝：%(r)s") % {"r": decision.reason(get_language())}
        holding = [d for d in calls.cap_holders(case) if d.pk != decision.pk]
        if holding and {"CN2", "CN6"} & set(decision.rules or ()):
            text += " " + _("计入上限的未登记通话：%(c)s。登记其结果后，若实际未接通，上限随之释放。") % {
                "c": "；".join(calls.describe_unlogged(d) for d in holding)}
        messages.error(request, text)
        return to_case_page(case, "call")
    return redirect(reverse("case-detail", args=[case.pk]) + f"?call={decision.pk}#call")


def pending_decision(request, case):
    """The user's allow on this case named by ``?call=``, while it may still be logged; without one, the user's
    latest started call on this case whose outcome is not logged yet (the page reloaded, another panel refreshed)."""
    named = pending_allow(request.GET.get("call", ""), case=case, actor=request.user, channel="call")
    if named is not None or not may(request.user, Capability.WORK_CASES):
        return named
    if getattr(request, "concord_unlogged", None) is None:
        request.concord_unlogged = calls.unlogged_calls(request.user)   # read once: the top bar's banner shows them
    waiting = [d for d in request.concord_unlogged if d.case_id == case.pk]
    return pending_allow(waiting[-1].pk, case=case, actor=request.user, channel="call") if waiting else None


@login_required
@require_POST
def call_log(request, pk):
    from concord.compliance.models import ContactDecision

    case = visible_case_or_404(request.user, pk)
    require_capability(request.user, Capability.WORK_CASES)
    form = CallDispositionForm(request.POST, request.FILES, auto_id="call_%s")
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
        request.concord_pending_call = pending_allow(decision.pk, case=case, actor=request.user, channel="call") \
            if decision is not None else None
        return case_page(request, case, bound={"call": form})
    messages.success(request, _("通话已记录"))
    return to_case_page(case, "activities")
