"""Ledger actions: open an account with its schedule, accrue charges, record and reverse payments.

The arithmetic is the pure code in ``schedule``, ``delinquency`` and ``allocation``; this module only loads
rows, calls it, and writes the result with an audit event in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.money import to_money
from concord.core.services import save_validated

from . import allocation, delinquency, followers, schedule
from .models import (
    AccountStatus,
    Instalment,
    LoanAccount,
    Overpayment,
    OverpaymentStatus,
    Payment,
    PaymentChannel,
    RepaymentMethod,
)

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")


def penalty_rule(product) -> delinquency.PenaltyRule:
    return delinquency.PenaltyRule(daily_rate=product.penalty_daily_rate,
                                   compound_on_interest=product.compound_on_interest,
                                   grace_days=product.grace_days, late_fee=product.late_fee,
                                   total_cost_cap_rate=product.total_cost_cap_rate)


def due_items(account: LoanAccount) -> list[delinquency.DueItem]:
    return [delinquency.DueItem(i.due_date, i.principal_due, i.interest_due, i.principal_paid, i.interest_paid)
            for i in account.instalments.order_by("number")]


@transaction.atomic
def open_account(actor, *, case, product, reference: str, contract_amount, annual_rate, method: str,
                 start_date: dt.date, term_months: int = 0, as_of: dt.date | None = None,
                 paid_instalments: int = 0, statement_day: int | None = None, due_day: int | None = None,
                 credit_limit=None, card_principal=None, card_interest=None,
                 card_overdue_since: dt.date | None = None) -> LoanAccount:
    """Open a loan (with its schedule, the first ``paid_instalments`` already repaid) or a card account
    (with its overdue statement balance), accrue charges to ``as_of`` and attach it to ``case``."""
    as_of = as_of or clock.today()
    if method not in RepaymentMethod.values:
        raise ValidationError({"method": [_("未知还款方式：%(v)s") % {"v": method}]})
    if product.creditor_id != case.creditor_id:
        raise ValidationError({"product": [_("产品不属于该案件的委托方")]})
    if isinstance(start_date, dt.date) and start_date > as_of:
        raise ValidationError({"start_date": [_("放款/开卡日期不能晚于余额日期 %(d)s") % {"d": as_of}]})
    account = LoanAccount(creditor_id=case.creditor_id, product=product, debtor_id=case.debtor_id, case=case,
                          reference=reference, contract_amount=contract_amount, annual_rate=annual_rate,
                          term_months=term_months, method=method, start_date=start_date,
                          statement_day=statement_day, due_day=due_day, credit_limit=credit_limit,
                          balances_as_of=as_of)
    if method == RepaymentMethod.REVOLVING:
        rows = _card_rows(account, card_principal, card_interest, card_overdue_since, start_date)
    else:
        rows = _loan_rows(account, term_months, paid_instalments, as_of)
    save_validated(account)
    for row in rows:
        row.account = account
    Instalment.objects.bulk_create(rows)
    items = due_items(account)
    _accrue(account, as_of, items)
    audit.record(actor, "account.open", account, {
        "reference": reference, "contract_amount": account.contract_amount, "method": method,
        "annual_rate": account.annual_rate, "term_months": term_months, "case": case.reference})
    _after_change(account, as_of, items)
    return account


#: build_schedule names the bad argument first in its message; the model field it comes from.
_SCHEDULE_ARGUMENT_FIELDS = {"principal": "contract_amount", "annual_rate": "annual_rate", "months": "term_months",
                             "start": "start_date", "method": "method"}


def _loan_rows(account, term_months, paid_instalments, as_of):
    try:
        amount = to_money(account.contract_amount)
    except (ValueError, TypeError, ArithmeticError):
        raise ValidationError({"contract_amount": [_("合同金额必须是数字")]})
    try:
        plan = schedule.build_schedule(account.method, amount, account.annual_rate, term_months, account.start_date)
    except (ValueError, TypeError) as exc:
        field = _SCHEDULE_ARGUMENT_FIELDS.get(str(exc).split(" ", 1)[0], "term_months")
        raise ValidationError({field: [str(exc)]})
    if not 0 <= paid_instalments <= len(plan):
        raise ValidationError({"paid_instalments": [_("已还期数超出范围")]})
    rows = []
    for inst in plan:
        paid = inst.number <= paid_instalments
        rows.append(Instalment(number=inst.number, due_date=inst.due_date, principal_due=inst.principal,
                               interest_due=inst.interest, principal_paid=inst.principal if paid else ZERO,
                               interest_paid=inst.interest if paid else ZERO))
    principal_paid = sum((r.principal_paid for r in rows), ZERO)
    account.principal_balance = to_money(account.contract_amount) - principal_paid
    account.interest_charged = sum((r.interest_due for r in rows if r.due_date <= as_of), ZERO)
    account.interest_balance = sum((r.interest_due - r.interest_paid for r in rows if r.due_date <= as_of), ZERO)
    return rows


def _card_rows(account, principal, interest, overdue_since, start_date):
    errors = {}
    if principal is None or to_money(principal) <= 0:
        errors["card_principal"] = [_("信用卡欠款本金必须大于 0")]
    if overdue_since is None or overdue_since < start_date:
        errors["card_overdue_since"] = [_("逾期起始日必须在开卡日期之后")]
    if errors:
        raise ValidationError(errors)
    principal, interest = to_money(principal), to_money(interest or 0)
    account.principal_balance, account.interest_balance, account.interest_charged = principal, interest, interest
    account.minimum_payment = schedule.card_minimum_payment(
        principal + interest, fees_and_interest=interest, rate=account.product.min_payment_rate,
        floor=account.product.min_payment_floor)
    return [Instalment(number=1, due_date=overdue_since, principal_due=principal, interest_due=interest)]


def _accrue(account: LoanAccount, as_of: dt.date, items: list[delinquency.DueItem]) -> None:
    """Bring penalty and fees up to ``as_of`` (never lowering what was already charged), within the cost cap."""
    rule = penalty_rule(account.product)
    penalty = delinquency.penalty_accrued(items, as_of, rule)
    fees = delinquency.fees_accrued(items, as_of, rule)
    penalty, fees = delinquency.apply_cost_cap(
        contract_principal=account.contract_amount, interest_charged=account.interest_charged, penalty=penalty,
        fees=fees, start=account.start_date, as_of=as_of, cap_rate=rule.total_cost_cap_rate)
    new_penalty, new_fees = max(penalty, account.penalty_accrued), max(fees, account.fees_accrued)
    account.penalty_balance += new_penalty - account.penalty_accrued
    account.fees_balance += new_fees - account.fees_accrued
    account.penalty_accrued, account.fees_accrued, account.balances_as_of = new_penalty, new_fees, as_of


def _after_change(account: LoanAccount, as_of: dt.date, items: list[delinquency.DueItem] | None = None) -> None:
    """Recompute DPD, bucket and status, save, and refresh the case. ``items``: the instalments, when the
    caller already holds them unchanged (otherwise they are read again)."""
    account.dpd = delinquency.days_past_due(items if items is not None else due_items(account), as_of)
    account.bucket = delinquency.bucket(account.dpd)
    if account.status == AccountStatus.OPEN and account.total_balance == 0:
        account.status = AccountStatus.SETTLED
    elif account.status == AccountStatus.SETTLED and account.total_balance > 0:
        account.status = AccountStatus.OPEN
    account.save()
    followers.account_changed(account)


@transaction.atomic
def accrue_charges(actor, account: LoanAccount, as_of: dt.date) -> LoanAccount:
    account = LoanAccount.objects.select_for_update().get(pk=account.pk)
    before = (account.penalty_balance, account.fees_balance)
    items = due_items(account)
    _accrue(account, as_of, items)
    audit.record(actor, "account.accrue", account, {"as_of": as_of, "penalty": [str(before[0]), str(account.penalty_balance)],
                                                     "fees": [str(before[1]), str(account.fees_balance)]})
    _after_change(account, as_of, items)
    return account


def _validate_payment(account, amount, paid_at, channel, external_reference):
    errors = {}
    try:
        amount = to_money(amount)
    except (TypeError, ValueError, ArithmeticError):
        errors["amount"] = [_("金额必须是数字")]
    else:
        if amount <= 0:
            errors["amount"] = [_("金额必须大于 0")]
        elif amount > MAX_AMOUNT:
            errors["amount"] = [_("金额过大")]
    if channel not in PaymentChannel.values:
        errors["channel"] = [_("未知还款渠道：%(v)s") % {"v": channel}]
    if not external_reference or not str(external_reference).strip():
        errors["external_reference"] = [_("外部流水号不能为空")]
    if not isinstance(paid_at, dt.datetime) or timezone.is_naive(paid_at):
        errors["paid_at"] = [_("还款时间必须是带时区的日期时间")]
    elif paid_at > clock.now() + dt.timedelta(minutes=5):
        errors["paid_at"] = [_("还款时间不能晚于当前时间")]
    elif timezone.localtime(paid_at).date() < account.start_date:
        errors["paid_at"] = [_("还款时间不能早于放款日期")]
    if errors:
        raise ValidationError(errors)
    return amount, str(external_reference).strip()


@transaction.atomic
def record_payment(actor, *, account: LoanAccount, amount, paid_at: dt.datetime, channel: str,
                   external_reference: str) -> tuple[Payment, bool]:
    """Apply a repayment by the product's waterfall. Idempotent on the external reference: the same
    payment sent twice is recorded once (returns ``created=False``); a different payment with a used
    reference is refused."""
    account = LoanAccount.objects.select_for_update().select_related("product").get(pk=account.pk)
    amount, external_reference = _validate_payment(account, amount, paid_at, channel, external_reference)
    existing = Payment.objects.filter(creditor_id=account.creditor_id, external_reference=external_reference).first()
    if existing:
        if (existing.account_id, existing.amount, existing.channel, existing.paid_at) == (
                account.pk, amount, channel, paid_at):
            return existing, False
        raise ValidationError({"external_reference": [_("外部流水号 %(r)s 已用于另一笔还款") % {"r": external_reference}]},
                              code="duplicate")
    if account.status not in (AccountStatus.OPEN, AccountStatus.SETTLED):
        raise ValidationError({"account": [_("账户状态为“%(s)s”，不能入账") % {"s": account.get_status_display()}]})
    split = allocation.allocate(amount, account.balances(), account.product.waterfall)
    applied = _apply_to_instalments(account, split.parts["principal"], split.parts["interest"])
    account.principal_balance -= split.parts["principal"]
    account.interest_balance -= split.parts["interest"]
    account.penalty_balance -= split.parts["penalty"]
    account.fees_balance -= split.parts["fees"]
    account.credit_balance += split.remainder
    payment = Payment(
        account=account, creditor_id=account.creditor_id, amount=amount, paid_at=paid_at, channel=channel,
        external_reference=external_reference, recorded_by=actor if getattr(actor, "pk", None) else None,
        allocation={"parts": {k: str(v) for k, v in split.parts.items()}, "remainder": str(split.remainder),
                    "instalments": applied})
    try:
        with transaction.atomic():
            save_validated(payment)
    except (IntegrityError, ValidationError):
        # another request took the same reference (for another account of this creditor) in the meantime
        raise ValidationError({"external_reference": [_("外部流水号 %(r)s 已用于另一笔还款") % {"r": external_reference}]},
                              code="duplicate")
    audit.record(actor, "payment.record", payment, {"account": account.reference, "amount": amount,
                                                     "channel": channel, "external_reference": external_reference,
                                                     "allocation": payment.allocation["parts"],
                                                     **({"excess": split.remainder} if split.remainder > 0 else {})})
    if split.remainder > 0:  # accepted up to the balance; the excess is held for the creditor to refund, visibly
        excess = Overpayment.objects.create(payment=payment, account=account, creditor_id=account.creditor_id,
                                            amount=split.remainder)
        audit.record(actor, "payment.overpayment", excess, {"payment": payment.pk, "account": account.reference,
                                                            "amount": split.remainder, "status": excess.status})
    _after_change(account, max(clock.today(), account.balances_as_of or account.start_date))
    followers.payment_changed(actor, account, payment, reversed=False)
    return payment, True


def _apply_to_instalments(account, principal: Decimal, interest: Decimal) -> list[dict]:
    """Pay interest then principal of the oldest instalments first; return what went where."""
    applied = []
    for inst in account.instalments.select_for_update().order_by("number"):
        pay_i = min(interest, inst.interest_due - inst.interest_paid)
        pay_p = min(principal, inst.principal_due - inst.principal_paid)
        if pay_i <= 0 and pay_p <= 0:
            continue
        inst.interest_paid += max(pay_i, ZERO)
        inst.principal_paid += max(pay_p, ZERO)
        inst.save(update_fields=["interest_paid", "principal_paid"])
        interest -= max(pay_i, ZERO)
        principal -= max(pay_p, ZERO)
        applied.append({"number": inst.number, "principal": str(max(pay_p, ZERO)), "interest": str(max(pay_i, ZERO))})
        if interest <= 0 and principal <= 0:
            break
    return applied


@transaction.atomic
def reverse_payment(actor, payment: Payment, *, reason: str) -> Payment:
    """Undo a payment exactly as it was applied (冲正); the payment row stays, marked reversed."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_reversed:
        raise ValidationError({"payment": [_("该笔还款已冲正")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写冲正原因")]})
    if len(reason.strip()) > 200:
        raise ValidationError({"reason": [_("冲正原因不能超过 200 个字符")]})
    account = LoanAccount.objects.select_for_update().select_related("product").get(pk=payment.account_id)
    parts = {k: Decimal(v) for k, v in payment.allocation["parts"].items()}
    account.principal_balance += parts["principal"]
    account.interest_balance += parts["interest"]
    account.penalty_balance += parts["penalty"]
    account.fees_balance += parts["fees"]
    account.credit_balance -= Decimal(payment.allocation.get("remainder", "0"))
    for part in payment.allocation.get("instalments", []):
        inst = account.instalments.select_for_update().get(number=part["number"])
        inst.principal_paid -= Decimal(part["principal"])
        inst.interest_paid -= Decimal(part["interest"])
        inst.save(update_fields=["interest_paid", "principal_paid"])
    payment.reversed_at, payment.reversal_reason = clock.now(), reason.strip()
    payment.save(update_fields=["reversed_at", "reversal_reason"])
    Overpayment.objects.filter(payment=payment, status=OverpaymentStatus.HELD).update(
        status=OverpaymentStatus.CANCELLED)
    audit.record(actor, "payment.reverse", payment, {"reason": payment.reversal_reason, "amount": payment.amount})
    _after_change(account, max(clock.today(), account.balances_as_of or account.start_date))
    followers.payment_changed(actor, account, payment, reversed=True)
    return payment
