"""Arrangement actions: propose, approve, reject, record the creditor's decision, activate, hardship review.

Each action runs in one transaction with its audit event and an entry in the case's activity log (催记).
Tracking of payments, breaking and completion lives in :mod:`concord.arrangements.tracking`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concord.cases.activities import check_note, log_activity
from concord.cases.models import ACTIVE_STATUSES, Case
from concord.core import audit, clock
from concord.core.access import restrict
from concord.core.actors import is_borrower
from concord.core.money import to_money
from concord.core.services import require, save_validated
from concord.staff.roles import Capability, Role, may

from . import authority, calculator, selectors
from .models import (
    OPEN,
    Approval,
    Arrangement,
    ArrangementInstalment,
    ArrangementKind,
    ArrangementStatus,
    Decision,
)

MAX_REASON = 1000
MAX_FIRST_DUE_DAYS = 60


def _sees(actor, case) -> bool:
    return restrict(Case.objects.filter(pk=case.pk), actor).exists()


def _reason(reason: str, field: str = "reason", limit: int = MAX_REASON) -> str:
    reason = (reason or "").strip()
    require(bool(reason), field, _("请填写理由"))
    require(len(reason) <= limit, field, _("理由不能超过 %(n)d 个字符") % {"n": limit})
    check_note(reason, field=field)
    return reason


def _money(field: str, value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("必须是金额数字")]}) from None
    require(amount.is_finite(), field, _("必须是金额数字"))
    require(amount == to_money(amount), field, _("金额最多两位小数（到分）"))
    return to_money(amount)


def _summary(arrangement: Arrangement) -> dict:
    return {"kind": arrangement.kind, "total": str(arrangement.total), "months": arrangement.months,
            "monthly_amount": str(arrangement.monthly_amount), "discount_amount": str(arrangement.discount_amount),
            "discount_rate": str(arrangement.discount_rate), "status": arrangement.status}


def bound_source(by: str, limits: calculator.Bounds) -> str:
    """Where a bound comes from, in the user's language: the product's maximum, the creditor's policy or the strategy
    (its version and segment)."""
    if by == calculator.BY_STRATEGY:
        return _("策略 %(s)s") % {"s": limits.strategy.source if limits.strategy else ""}
    if by == calculator.BY_CREDITOR:
        return _("委托方政策")
    return _("产品上限")


def _checked_terms(*, kind, months, discount_amount, first_due, grace_days, reason, limits: calculator.Bounds,
                   balance: Decimal, today: dt.date) -> tuple[Decimal, int, str]:
    """Validate a proposal's terms all at once; a ValidationError names every bad field. The term and the discount
    are checked against the effective bounds (``calculator.bounds``), each refusal naming the bound and its source."""
    errors: dict[str, list] = {}
    discount = None
    longest, by = limits.months(kind)
    months_ok = isinstance(months, int) and not isinstance(months, bool) and months >= 1
    if not months_ok:
        errors["months"] = [_("期数必须在 1 到 %(n)d 之间") % {"n": longest}]
    try:
        discount = _money("discount_amount", discount_amount)
        if discount < 0:
            errors["discount_amount"] = [_("减免金额不能为负")]
        elif discount >= balance:
            errors["discount_amount"] = [_("减免金额必须小于欠款总额 %(b)s 元") % {"b": balance}]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, bound, by in calculator.beyond_bounds(limits, kind, months if months_ok else 1,
                                                     discount if discount is not None else Decimal("0"), balance):
        if field == "months" and months_ok:
            errors["months"] = [_("期数必须在 1 到 %(n)d 之间（上限 %(n)d 期来自%(by)s）") % {
                "n": bound, "by": bound_source(by, limits)}]
        elif field == "discount_amount" and "discount_amount" not in errors:
            errors["discount_amount"] = [_(
                "减免 %(d)s 元（%(r)s%%）超过策略的减免上限 %(l)s%%（%(s)s，最多减免 %(m)s 元）：策略的方案上限不能经审批突破") % {
                "d": discount, "r": calculator.percent(calculator.discount_rate(discount, balance)),
                "s": limits.strategy.source if limits.strategy else "", "l": calculator.percent(bound),
                "m": calculator.discount_limit(balance, bound)}]
    if not isinstance(first_due, dt.date) or isinstance(first_due, dt.datetime):
        errors["first_due"] = [_("请填写首期还款日")]
    elif not today <= first_due <= today + dt.timedelta(days=MAX_FIRST_DUE_DAYS):
        errors["first_due"] = [_("首期还款日必须在今天到 %(n)d 天之内") % {"n": MAX_FIRST_DUE_DAYS}]
    if not isinstance(grace_days, int) or isinstance(grace_days, bool) or not 0 <= grace_days <= 30:
        errors["grace_days"] = [_("宽限天数必须在 0 到 30 之间")]
    try:
        reason = _reason(reason)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return discount, grace_days, reason


@transaction.atomic
def propose(actor, case, *, kind: str, months: int, discount_amount=Decimal("0"), first_due: dt.date,
            reason: str, grace_days: int | None = None, today: dt.date | None = None) -> Arrangement:
    """Propose an instalment plan or a settlement on ``case``. Validated against the calculator's limits (term,
    monthly amount within the share of disposable income, discount less than the balance) and the effective offer
    bounds (the creditor's and the live strategy's for the case's segment, the tighter: ``calculator.bounds``). A
    discount within the proposer's own authority is approved at once; beyond it the arrangement waits for an approver
    whose limit covers it, or — beyond the house's authority — for the creditor. Nothing beyond the strategy's
    bounds is proposed at all: no approval goes past them."""
    today = today or clock.today()
    borrower = is_borrower(actor)  # the borrower choosing a plan in the self-service portal
    require(borrower or may(actor, Capability.PROPOSE_ARRANGEMENT), "actor", _("您的角色不能提出还款方案"))
    case = Case.objects.select_for_update().select_related("creditor", "debtor").get(pk=case.pk)
    require(_sees(actor, case), "case", _("您无权处理该案件"))
    require(case.status in ACTIVE_STATUSES, "case", _("案件已结束，不能提出还款方案"))
    require(kind in ArrangementKind.values, "kind", _("未知方案类型：%(k)s") % {"k": kind})
    require(not case.arrangements.filter(status__in=OPEN).exists(), "case",
            _("该案件已有待审批或履行中的还款方案"))
    money = selectors.finances(case.debtor)
    require(money is not None, "case", _("请先登记债务人的经济状况，方案须以还款能力为依据"))
    balance = selectors.case_balance(case)
    require(balance.total > 0, "case", _("案件没有未结清欠款"))
    product_kind = selectors.product_kind(case)
    policy_row = authority.policy_row(case.creditor)
    policy = selectors.case_policy(case)  # the creditor's terms with the strategy's offer bounds for this case
    assessment = calculator.assess(money, balance, product_kind, policy, first_due=today)
    require(not assessment.hardship, "case",
            _("债务人收支已无结余（每月可支配 %(d)s 元）：不提出还款方案，请转困难评估") % {"d": assessment.disposable})
    discount, grace, reason = _checked_terms(kind=kind, months=months, discount_amount=discount_amount,
                                             first_due=first_due,
                                             grace_days=policy_row.grace_days if grace_days is None else grace_days,
                                             reason=reason, limits=assessment.bounds, balance=balance.total,
                                             today=today)
    try:
        figures = calculator.plan(kind, balance.total, discount, months, first_due)
    except ValueError:
        raise ValidationError({"months": [_("期数过多：约定总额不足每期 1 分")]}) from None
    if figures.monthly_amount > assessment.monthly_cap:
        raise ValidationError({"months": [
            _("月供 %(m)s 元超过上限 %(c)s 元（每月可支配 %(d)s 元 × %(s)s%%）：请延长期数或调整金额") % {
                "m": figures.monthly_amount, "c": assessment.monthly_cap, "d": assessment.disposable,
                "s": calculator.percent(assessment.income_share)}]})
    needed = authority.required_role(case.creditor, discount, balance.total)
    own_limit = (authority.automatic_limit(case.creditor) if borrower
                 else authority.limit_for(case.creditor, actor.role))
    now = clock.now()
    if calculator.within_limit(discount, balance.total, own_limit):
        status = ArrangementStatus.APPROVED
    elif needed == authority.CREDITOR:
        status = ArrangementStatus.AWAITING_CREDITOR
    else:
        status = ArrangementStatus.PROPOSED
    arrangement = Arrangement(
        case=case, kind=kind, status=status, balance=balance.total, discount_amount=discount,
        discount_rate=figures.discount_rate, total=figures.total, months=months,
        monthly_amount=figures.monthly_amount, first_due=first_due, grace_days=grace, reason=reason,
        affordability=selectors.affordability_snapshot(assessment, money, balance, product_kind),
        required_role=needed, proposed_by=None if borrower else actor, proposed_at=now,
        decided_at=now if status == ArrangementStatus.APPROVED else None)
    try:
        with transaction.atomic():
            save_validated(arrangement)
    except IntegrityError:
        raise ValidationError({"case": [_("该案件已有待审批或履行中的还款方案")]}) from None
    ArrangementInstalment.objects.bulk_create([
        ArrangementInstalment(arrangement=arrangement, number=r.number, due_date=r.due_date, amount=r.amount)
        for r in figures.schedule])
    if status == ArrangementStatus.APPROVED:
        Approval.objects.create(arrangement=arrangement, approver=None if borrower else actor,
                                role=authority.AUTOMATIC_ROLE if borrower else actor.role, limit_rate=own_limit,
                                decision=Decision.APPROVE, at=now,
                                reason=_("借款人自助选择，在自动审批权限内") if borrower else _("在提出人自身权限内"))
    audit.record(actor, "arrangement.propose", arrangement, {**_summary(arrangement), "case": case.reference,
                                                            "required_role": needed, "reason": reason,
                                                            "strategy": selectors.strategy_snapshot(assessment)})
    log_activity(actor, case, kind="arrangement", note=reason, details={"arrangement": arrangement.pk,
                                                                        **_summary(arrangement)},
                 phrase=("arrangement.propose", {"k": arrangement.kind, "t": arrangement.total, "n": months,
                                                 "m": arrangement.monthly_amount, "d": discount,
                                                 "s": arrangement.status}))
    return arrangement


def _locked(arrangement: Arrangement) -> Arrangement:
    return Arrangement.objects.select_for_update().select_related("case", "case__creditor", "case__debtor").get(
        pk=arrangement.pk)


def _transition(arrangement: Arrangement, expected, new: str, **fields) -> None:
    """Move the arrangement from ``expected`` to ``new`` with a conditional UPDATE: exactly one of two concurrent
    deciders wins; the other is told it was already decided."""
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    done = Arrangement.objects.filter(pk=arrangement.pk, status__in=expected).update(status=new, **fields)
    if not done:
        raise ValidationError({"arrangement": [_("该方案已被处理（当前状态：%(s)s）") % {
            "s": Arrangement.objects.get(pk=arrangement.pk).get_status_display()}]})
    arrangement.status = new
    for key, value in fields.items():
        setattr(arrangement, key, value)


def _check_approver(actor, arrangement: Arrangement) -> Decimal:
    require(may(actor, Capability.APPROVE_ARRANGEMENT), "actor", _("您的角色不能审批还款方案"))
    require(_sees(actor, arrangement.case), "arrangement", _("您无权处理该案件"))
    require(arrangement.status == ArrangementStatus.PROPOSED, "arrangement",
            _("该方案不在待审批状态（当前：%(s)s）") % {"s": arrangement.get_status_display()})
    require(arrangement.proposed_by_id != actor.pk, "actor", _("不能审批自己提出的方案"))
    limit = authority.limit_for(arrangement.case.creditor, actor.role)
    require(calculator.within_limit(arrangement.discount_amount, arrangement.balance, limit), "actor",
            _("减免比例 %(r)s 超出您的审批权限 %(l)s") % {"r": f"{arrangement.discount_rate:.2%}", "l": f"{limit:.2%}"})
    return limit


def _decide(actor, arrangement, *, decision: str, reason: str, limit: Decimal, new_status: str, expected,
            reference: str = "") -> Arrangement:
    now = clock.now()
    _transition(arrangement, expected, new_status, decided_at=now)
    approval = Approval.objects.create(arrangement=arrangement, approver=actor, role=actor.role, limit_rate=limit,
                                       decision=decision, reason=reason, reference=reference, at=now)
    audit.record(actor, f"arrangement.{decision}", arrangement, {"approval": approval.pk, "reason": reason,
                                                                "reference": reference, "status": new_status})
    log_activity(actor, arrangement.case, kind="arrangement", note=reason,
                 details={"arrangement": arrangement.pk, "decision": decision, "reference": reference},
                 phrase=("arrangement.decide", {"n": arrangement.pk, "d": approval.decision}))
    return arrangement


@transaction.atomic
def approve(actor, arrangement: Arrangement, *, reason: str) -> Arrangement:
    """An approver whose limit covers the discount approves a proposed arrangement (never their own)."""
    arrangement = _locked(arrangement)
    limit = _check_approver(actor, arrangement)
    return _decide(actor, arrangement, decision=Decision.APPROVE, reason=_reason(reason), limit=limit,
                   new_status=ArrangementStatus.APPROVED, expected=ArrangementStatus.PROPOSED)


@transaction.atomic
def reject(actor, arrangement: Arrangement, *, reason: str) -> Arrangement:
    arrangement = _locked(arrangement)
    limit = _check_approver(actor, arrangement)
    return _decide(actor, arrangement, decision=Decision.REJECT, reason=_reason(reason), limit=limit,
                   new_status=ArrangementStatus.REJECTED, expected=ArrangementStatus.PROPOSED)


@transaction.atomic
def record_creditor_decision(actor, arrangement: Arrangement, *, approved: bool, reference: str,
                             reason: str) -> Arrangement:
    """Record the creditor's own decision on an arrangement beyond the house's authority (a manager enters the
    creditor's written reply with its reference)."""
    arrangement = _locked(arrangement)
    require(may(actor, Capability.RECORD_CREDITOR_DECISION), "actor",
            _("只有经理或管理员可以登记委托方的审批结果"))
    require(_sees(actor, arrangement.case), "arrangement", _("您无权处理该案件"))
    require(arrangement.status == ArrangementStatus.AWAITING_CREDITOR, "arrangement",
            _("该方案不在待委托方审批状态（当前：%(s)s）") % {"s": arrangement.get_status_display()})
    reference = (reference or "").strip()
    require(bool(reference) and len(reference) <= 100, "reference", _("请填写委托方批复编号（不超过 100 个字符）"))
    return _decide(actor, arrangement, decision=Decision.CREDITOR_APPROVE if approved else Decision.CREDITOR_REJECT,
                   reason=_reason(reason), limit=Decimal("1"), reference=reference,
                   new_status=ArrangementStatus.APPROVED if approved else ArrangementStatus.REJECTED,
                   expected=ArrangementStatus.AWAITING_CREDITOR)


@transaction.atomic
def activate(actor, arrangement: Arrangement) -> Arrangement:
    """The borrower has accepted the approved arrangement: it starts, and a compliance hold stops collection on
    this creditor's debts while it is kept."""
    from concord.compliance.services import place_hold

    arrangement = _locked(arrangement)
    require(is_borrower(actor) or may(actor, Capability.PROPOSE_ARRANGEMENT), "actor", _("您的角色不能启动还款方案"))
    require(_sees(actor, arrangement.case), "arrangement", _("您无权处理该案件"))
    require(arrangement.status == ArrangementStatus.APPROVED, "arrangement",
            _("只有已批准的方案可以启动（当前：%(s)s）") % {"s": arrangement.get_status_display()})
    case = arrangement.case
    hold = place_hold(actor, debtor=case.debtor, creditor=case.creditor, kind="arrangement",
                      reason=_("还款方案 #%(n)s 履行中") % {"n": arrangement.pk})
    _transition(arrangement, ArrangementStatus.APPROVED, ArrangementStatus.ACTIVE, activated_at=clock.now(),
                hold=hold)
    from .tracking import refresh_payments

    # payments made today before the start count (the daily check completes a fully paid arrangement)
    refresh_payments(actor, arrangement, activated=True)
    audit.record(actor, "arrangement.activate", arrangement, {"hold": hold.pk, **_summary(arrangement)})
    log_activity(actor, case, kind="arrangement", details={"arrangement": arrangement.pk, "hold": hold.pk},
                 phrase=("arrangement.activate", {"n": arrangement.pk}))
    return arrangement


@transaction.atomic
def request_hardship_review(actor, case, *, reason: str) -> None:
    """The borrower has nothing left each month: no plan is pressed; the case goes to a hardship review."""
    require(may(actor, Capability.PROPOSE_ARRANGEMENT), "actor", _("您的角色不能提出困难评估"))
    require(_sees(actor, case), "case", _("您无权处理该案件"))
    reason = _reason(reason)
    money = selectors.finances(case.debtor)
    disposable = str(money.disposable) if money else None
    audit.record(actor, "arrangement.hardship_review", case, {"reason": reason, "disposable": disposable})
    log_activity(actor, case, kind="arrangement", note=reason, details={"hardship_review": True,
                                                                        "disposable": disposable},
                 phrase=("arrangement.hardship", {}))


def by_role_label(role: str) -> str:
    """The role named in ``required_role``, in the user's language."""
    if role == authority.CREDITOR:
        return _("委托方")
    return str(dict(Role.choices).get(role, role))
