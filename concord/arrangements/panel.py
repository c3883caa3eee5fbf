"""The arrangements panel on the case page: the affordability calculator, its proposals side by side with a chart,
the schedule of the chosen one, the propose form, and the case's arrangements with their decisions."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.panels import bound_form
from concord.staff.roles import Capability, may

from . import authority, calculator, selectors
from .chart import proposals_chart
from .forms import CreditorDecisionForm, DecisionForm, HardshipForm, ProposeForm, form_ids
from .models import ArrangementStatus
from .services import bound_source, by_role_label

NOTES = {
    calculator.NOTE_HARDSHIP: gettext_lazy("收支已无结余：不提出还款方案，只转困难评估，不得施压。"),
    calculator.NOTE_PLAN_NEEDS_DISCOUNT: gettext_lazy("全额分期在最长期数内超出月供上限：如需分期，须配合减免。"),
    calculator.NOTE_NOTHING_FITS: gettext_lazy("在现有审批权限内没有可负担的方案：可转困难评估或报委托方审批。"),
    calculator.NOTE_ASSETS: gettext_lazy("债务人有资产净值，可作为协商参考（不得强迫处置）。"),
}


def note_text(code: str) -> str:
    return str(NOTES[code]) if code in NOTES else code


def proposal_label(p: calculator.Proposal) -> str:
    if p.kind == calculator.SETTLEMENT:
        return _("减免%(r)s%% · %(n)d期") % {"r": calculator.percent(p.discount_rate), "n": p.months}
    return _("%(n)d期") % {"n": p.months}


def bounds_view(limits: calculator.Bounds) -> dict:
    """The effective offer bounds as the case page says them: each term with where it comes from, the discount and
    the strategy's part (docs/user-guide.md, Arrangements)."""
    offer = limits.strategy
    house, rate = calculator.percent(limits.house_rate), limits.strategy_rate
    if rate is None:
        discount = _("%(h)s%%（本机构审批权限上限）；超出需委托方审批") % {"h": house}
    elif rate <= limits.house_rate:
        discount = _("%(l)s%%（策略 %(s)s 的上限，任何审批不得突破）") % {"l": calculator.percent(rate), "s": offer.source}
    else:
        discount = _("%(h)s%%（本机构审批权限上限）；超出需委托方审批，最多 %(l)s%%（策略 %(s)s 的上限）") % {
            "h": house, "l": calculator.percent(rate), "s": offer.source}
    if offer is None:
        strategy = _("无适用的策略规则（该案件尚无日终结果，或其客群不在生效策略中）：只按委托方政策")
    elif offer.max_discount_rate is None and offer.max_months is None:
        strategy = _("策略 %(s)s 未设方案上限：只按委托方政策") % {"s": offer.source}
    else:
        strategy = _("策略 %(s)s：最高减免 %(d)s，最长 %(m)s") % {
            "s": offer.source,
            "d": _("不限") if offer.max_discount_rate is None else f"{calculator.percent(offer.max_discount_rate)}%",
            "m": _("不限") if offer.max_months is None else _("%(n)d 期") % {"n": offer.max_months}}
    return {"plan_months": limits.plan_months, "plan_by": bound_source(limits.plan_months_by, limits),
            "settlement_months": limits.settlement_months,
            "settlement_by": bound_source(limits.settlement_months_by, limits),
            "discount": discount, "strategy": strategy, "limits": limits}


def _history(case):
    return list(case.arrangements.select_related("proposed_by").prefetch_related("instalments", "approvals__approver")
                .order_by("-proposed_at", "-id")[:10])


def case_panel(request, case) -> dict | None:
    user = request.user
    role = getattr(user, "role", None)
    proposer, approver = may(user, Capability.PROPOSE_ARRANGEMENT), may(user, Capability.APPROVE_ARRANGEMENT)
    arrangements = _history(case)
    # the creditor's approval limits, read only when something needs them (a proposal to decide, the calculator)
    deciding = approver and any(a.status == ArrangementStatus.PROPOSED for a in arrangements)
    table = authority.limits(case.creditor) if deciding else None
    own_limit = table.get(role, Decimal("0")) if table else Decimal("0")
    for a in arrangements:
        a.required_label = by_role_label(a.required_role)
        a.can_decide = (a.status == ArrangementStatus.PROPOSED and approver and a.proposed_by_id != user.pk
                        and calculator.within_limit(a.discount_amount, a.balance, own_limit))
    may_record_creditor = may(user, Capability.RECORD_CREDITOR_DECISION)
    # forms only where the template shows them (a decision to take, an awaiting-creditor arrangement to record), one
    # per arrangement with its own element ids; after a refusal the bound one, with what was typed
    for a in arrangements:
        a.decision_form = bound_form(request, f"arrangement-decide-{a.pk}",
                                     DecisionForm(auto_id=form_ids("decide", a.pk))) if a.can_decide else None
        a.creditor_form = bound_form(request, f"arrangement-creditor-{a.pk}",
                                     CreditorDecisionForm(auto_id=form_ids("creditor", a.pk))) \
            if may_record_creditor and a.status == ArrangementStatus.AWAITING_CREDITOR else None
    ctx = {"arrangements": arrangements, "may_propose": proposer,
           "may_decide": approver, "may_record_creditor": may_record_creditor,
           "open": next((a for a in arrangements if a.status in (ArrangementStatus.PROPOSED,
                                                                  ArrangementStatus.AWAITING_CREDITOR,
                                                                  ArrangementStatus.APPROVED,
                                                                  ArrangementStatus.ACTIVE)), None)}
    if not (proposer or approver):
        return ctx  # read-only: the case's arrangements, no calculator
    # the offer bounds that apply (the creditor's and the strategy's, the tighter), shown with or without a profile
    table = table if table is not None else authority.limits(case.creditor)
    own_limit = table.get(role, Decimal("0"))
    offer = selectors.strategy_offer(case)
    ctx["bounds"] = bounds_view(calculator.bounds(selectors.product_kind(case),
                                                  selectors.case_policy(case, table, strategy=offer)))
    # no financial profile, no calculator (the debtor's profile and assets were read once by the case page)
    assessment = None
    if selectors.finances(case.debtor) is not None:
        assessment = selectors.assess_case(case, table=table, strategy=offer)
    ctx["assessment"] = assessment
    if assessment is None:
        return ctx
    ctx["hardship_form"] = bound_form(request, "arrangement-hardship", HardshipForm(auto_id="hardship_%s")) \
        if assessment.hardship and proposer else None
    ctx["notes"] = [note_text(n) for n in assessment.notes]
    ctx["own_limit"] = calculator.percent(own_limit)
    proposals = []
    for index, p in enumerate(assessment.proposals):
        needed = authority.required_role(case.creditor, p.discount_amount, p.balance, table)
        proposals.append({"index": index, "p": p, "label": proposal_label(p), "required": by_role_label(needed),
                          "self_approved": calculator.within_limit(p.discount_amount, p.balance, own_limit)})
    ctx["proposals"] = proposals
    try:
        chosen = int(request.GET.get("plan", "0"))
    except ValueError:
        chosen = 0
    ctx["chosen"] = proposals[chosen] if 0 <= chosen < len(proposals) else (proposals[0] if proposals else None)
    if proposals:
        ctx["chart"] = proposals_chart(
            [(x["label"], x["p"].monthly_amount, x["p"].total_paid) for x in proposals], cap=assessment.monthly_cap,
            title=_("各方案：月供与还款总额"), x_label=_("月供（元）"), y_label=_("还款总额（元）"),
            cap_label=_("月供上限"))
    first = ctx["chosen"]["p"] if ctx["chosen"] else None
    limits = ctx["bounds"]["limits"]
    ctx["propose_form"] = bound_form(request, "arrangement-propose", ProposeForm(auto_id="propose_%s", initial={
        "kind": first.kind if first else calculator.INSTALMENT_PLAN,
        "months": first.months if first else min(12, limits.plan_months),     # never a default beyond the bound
        "discount_amount": first.discount_amount if first else 0, "first_due": selectors.default_first_due()}))
    ctx["propose_form"].fields["months"].help_text = _("分期最长 %(p)d 期，减免结清最长 %(s)d 期") % {
        "p": limits.plan_months, "s": limits.settlement_months}
    if limits.strategy_rate is not None:
        ctx["propose_form"].fields["discount_amount"].help_text = _("策略上限 %(l)s%%：最多减免 %(m)s 元") % {
            "l": calculator.percent(limits.strategy_rate),
            "m": calculator.discount_limit(assessment.balance, limits.strategy_rate)}
    from concord.core.templatetags.concord_format import amount
    ctx["cap_text"] = _("每月可支配 %(d)s 元 × %(s)s%% = 月供上限 %(c)s 元") % {
        "d": amount(assessment.disposable), "s": calculator.percent(assessment.income_share),
        "c": amount(assessment.monthly_cap)}
    return ctx
