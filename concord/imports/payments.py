"""Payment files (还款文件): repayments and reversals reported by a creditor, and the queue of unmatched payments.

A row is one repayment (交易类型 还款, the default) or the reversal of one (冲正 / 退票). Columns: 借据号, 还款金额
(> 0), 还款日期 or 还款时间 (a date, or a date and time; China local time), 交易流水号 (the idempotency key),
还款渠道 (支付宝 / 微信 / 银行转账 / 代扣 / 银联 / 现金; default bank transfer), 交易类型, 原交易流水号 (the payment a
reversal undoes; without it the row's own 交易流水号 names it), 姓名 (the payer, kept for manual matching) and
冲正原因.

What a row does (each row in its own savepoint: it lands whole or not at all):

- a repayment on an account of this creditor is recorded with :func:`concord.loans.services.record_payment`
  (allocated by the product's waterfall; the case is refreshed, so a paid-off case closes) → *created*; the same
  交易流水号 again with the same account, amount, time and channel → *unchanged*; with anything different →
  *rejected*, the reason naming what differs;
- a repayment whose 借据号 is not an account of this creditor waits in the unmatched queue
  (:class:`~concord.imports.models.UnmatchedPayment`, status waiting) → *created* with the warning “待人工匹配”;
  the same row again → *unchanged*. A person matches it to an account with :func:`match_unmatched_payment` or
  dismisses it with :func:`dismiss_unmatched_payment`. When a later file brings the payment for an account that
  now exists, it is recorded and the waiting entry is marked matched;
- a reversal undoes the named payment with :func:`concord.loans.services.reverse_payment` → *updated*;
  reversing it again → *unchanged*; a reversal of a payment Concord does not know, of another account or of a
  different amount → *rejected* with the reason; the reversal of a payment still waiting in the unmatched queue
  dismisses the entry.

Not done yet: promises to pay and arrangements do not exist in Concord yet, so a payment does not re-evaluate
them. When they arrive, the re-evaluation belongs in ``loans.services.record_payment`` / ``reverse_payment``
(so that every way a payment enters gets it), not here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core import audit, clock
from concord.loans import services as loans
from concord.loans.models import LoanAccount, Payment, PaymentChannel

from . import values as v
from .kindrows import RowSpec, file_parser, problem
from .mapping import PAYMENTS, catalogue
from .models import UnmatchedPayment, UnmatchedStatus
from .rows import FieldProblem, RowResult, reference_parser, text_parser

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
LABEL_EXTERNAL_REFERENCE, LABEL_ORIGINAL_REFERENCE = _("交易流水号"), _("原交易流水号")

# ValidationError keys of the loan services → the payment file's fields
_ERROR_FIELDS = {"external_reference": "external_reference", "amount": "amount", "paid_at": "paid_at",
                 "channel": "channel", "account": "account_reference", "payment": "original_reference",
                 "reason": "reversal_reason"}


@dataclass
class PaymentRecord:
    account_reference: str
    amount: Decimal
    paid_at: dt.datetime
    external_reference: str
    channel: str = PaymentChannel.BANK_TRANSFER
    transaction_type: str = v.PAYMENT
    original_reference: str = ""
    payer_name: str = ""
    reversal_reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_reversal(self) -> bool:
        return self.transaction_type == v.REVERSAL

    @property
    def target_reference(self) -> str:
        """The payment this row is about: its own, or for a reversal the one it undoes."""
        if self.is_reversal and self.original_reference:
            return self.original_reference
        return self.external_reference


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment, v.CN_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def _build(parsed: dict[str, Any], result: RowResult, column_of: dict[str, str],
           today: dt.date) -> PaymentRecord | None:
    amount, paid_at = parsed["amount"], parsed["paid_at"]
    if amount <= 0:
        problem(result, column_of, "amount", "amount_zero", _("还款金额必须大于 0"), amount)
    if paid_at.astimezone(v.CN_TIME_ZONE).date() > today:
        problem(result, column_of, "paid_at", "paid_in_future", format_lazy(
            _("还款时间 {v} 晚于今天"), v=_local(paid_at)), _local(paid_at))
    if result.errors:
        return None
    return PaymentRecord(**parsed)


def _payment_spec() -> RowSpec:
    def moment(value, today):
        return v.parse_datetime(value, today=today)

    return RowSpec(catalogue=catalogue(PAYMENTS), parsers={
        "account_reference": reference_parser,
        "amount": lambda value, today: v.parse_money(value),
        "paid_at": moment,
        "external_reference": lambda value, today: v.parse_identifier(value, LABEL_EXTERNAL_REFERENCE),
        "channel": lambda value, today: v.parse_channel(value),
        "transaction_type": lambda value, today: v.parse_transaction_type(value),
        "original_reference": lambda value, today: v.parse_identifier(value, LABEL_ORIGINAL_REFERENCE),
        "payer_name": text_parser(100),
        "reversal_reason": text_parser(200),
    }, build=_build)


SPEC = _payment_spec()


parse_file = file_parser(SPEC)
"""Open a payment file and stream its row results (see :func:`concord.imports.kindrows.file_parser`)."""


def key(result: RowResult) -> str:
    return result.record.target_reference


# --- writing ----------------------------------------------------------------------------------------------

class PaymentWriter:
    """Lands chunks of payment rows for one creditor and one batch; one row at a time, each in a savepoint."""

    def __init__(self, creditor, *, batch, actor, today: dt.date):
        self.creditor, self.batch, self.actor, self.today = creditor, batch, actor, today

    def write(self, results: list[RowResult]) -> dict[int, str]:
        references = {r.record.account_reference for r in results}
        accounts = {a.reference: a for a in LoanAccount.objects.filter(creditor=self.creditor,
                                                                       reference__any_of=references)}
        outcome: dict[int, str] = {}
        for r in results:
            try:
                with transaction.atomic():
                    if r.record.is_reversal:
                        outcome[r.row_number] = self._reversal(r, accounts)
                    else:
                        outcome[r.row_number] = self._payment(r, accounts)
                    if r.errors:
                        raise _Refused
            except _Refused:
                outcome[r.row_number] = REJECTED
            except ValidationError as exc:
                self._refuse_with(r, exc)
                outcome[r.row_number] = REJECTED
        return outcome

    # --- repayments --------------------------------------------------------------------------------------

    def _payment(self, r: RowResult, accounts: dict[str, LoanAccount]) -> str:
        record = r.record
        existing = (Payment.objects.filter(creditor=self.creditor, external_reference=record.external_reference)
                    .select_related("account").first())
        waiting = UnmatchedPayment.objects.filter(creditor=self.creditor,
                                                  external_reference=record.external_reference).first()
        account = accounts.get(record.account_reference)
        if account is None and waiting is not None:  # seen before, in the queue (or matched / dismissed since)
            outcome = self._replay(r, waiting.account_reference, waiting.amount, waiting.paid_at, waiting.channel)
            if outcome == UNCHANGED and waiting.status == UnmatchedStatus.WAITING:
                self._warn_unmatched(r)
            return outcome
        if existing is not None:
            return self._replay(r, existing.account.reference, existing.amount, existing.paid_at, existing.channel)
        if account is None:
            UnmatchedPayment.objects.create(
                batch=self.batch, creditor=self.creditor, row_number=r.row_number,
                account_reference=record.account_reference, external_reference=record.external_reference,
                amount=record.amount, paid_at=record.paid_at, channel=record.channel,
                payer_name=record.payer_name[:100])
            self._warn_unmatched(r)
            return CREATED
        if waiting is not None and self._replay(r, waiting.account_reference, waiting.amount, waiting.paid_at,
                                                waiting.channel) == REJECTED:
            return REJECTED
        payment, _created = loans.record_payment(self.actor, account=account, amount=record.amount,
                                                 paid_at=record.paid_at, channel=record.channel,
                                                 external_reference=record.external_reference)
        excess = Decimal(payment.allocation.get("remainder", "0"))
        if _created and excess > 0:
            r.warnings.append(FieldProblem("amount", None, "overpayment", format_lazy(
                _("金额超出该借据欠款 {excess} 元：按欠款入账，超出部分作为溢缴款待退还"), excess=excess),
                str(record.amount)))
        if waiting is not None and waiting.status == UnmatchedStatus.WAITING:
            _resolve(self.actor, waiting, UnmatchedStatus.MATCHED, payment=payment,
                     note=gettext("导入批次 #%(n)s 中找到了借据") % {"n": self.batch.pk})
        return CREATED

    def _replay(self, r: RowResult, reference: str, amount: Decimal, paid_at: dt.datetime, channel: str) -> str:
        """The same external reference seen before: unchanged when it is the same payment, else refused with what
        differs."""
        record = r.record
        differences = []
        if reference != record.account_reference:
            differences.append(format_lazy(_("借据号（已登记 {a}，本行 {b}）"), a=reference, b=record.account_reference))
        if amount != record.amount:
            differences.append(format_lazy(_("金额（已登记 {a}，本行 {b}）"), a=amount, b=record.amount))
        if paid_at != record.paid_at:
            differences.append(format_lazy(_("还款时间（已登记 {a}，本行 {b}）"), a=_local(paid_at),
                                           b=_local(record.paid_at)))
        if channel != record.channel:
            differences.append(format_lazy(_("渠道（已登记 {a}，本行 {b}）"), a=PaymentChannel(channel).label,
                                           b=PaymentChannel(record.channel).label))
        if not differences:
            return UNCHANGED
        r.errors.append(FieldProblem("external_reference", None, "reference_reused", format_lazy(
            _("交易流水号 {ref} 已用于另一笔还款，不同之处：{diff}"), ref=record.external_reference,
            diff=_Joined(differences)), record.external_reference))
        return REJECTED

    @staticmethod
    def _warn_unmatched(r: RowResult) -> None:
        r.warnings.append(FieldProblem("account_reference", None, "unmatched", format_lazy(
            _("待人工匹配：委托方名下没有借据号 {ref}，该笔还款已进入待匹配队列"), ref=r.record.account_reference),
            r.record.account_reference))

    # --- reversals ---------------------------------------------------------------------------------------

    def _reversal(self, r: RowResult, accounts: dict[str, LoanAccount]) -> str:
        record = r.record
        target = record.target_reference
        target_field = "original_reference" if record.original_reference else "external_reference"
        payment = (Payment.objects.filter(creditor=self.creditor, external_reference=target)
                   .select_related("account").first())
        if payment is None:
            waiting = UnmatchedPayment.objects.filter(creditor=self.creditor, external_reference=target).first()
            if waiting is None:
                r.errors.append(FieldProblem(target_field, None, "reversal_unknown_payment", format_lazy(
                    _("找不到要冲正的还款：交易流水号 {ref} 未在该委托方名下登记"), ref=target), target))
                return REJECTED
            if waiting.amount != record.amount:
                return self._amount_differs(r, waiting.amount)
            if waiting.status == UnmatchedStatus.DISMISSED:
                return UNCHANGED
            _resolve(self.actor, waiting, UnmatchedStatus.DISMISSED,
                     note=(record.reversal_reason or gettext("委托方冲正"))[:200])
            return UPDATED
        if payment.account.reference != record.account_reference:
            r.errors.append(FieldProblem("account_reference", None, "reversal_other_account", format_lazy(
                _("要冲正的还款 {ref} 属于借据 {account}，与本行借据号 {given} 不符"), ref=target,
                account=payment.account.reference, given=record.account_reference), record.account_reference))
            return REJECTED
        if payment.amount != record.amount:
            return self._amount_differs(r, payment.amount)
        if payment.is_reversed:
            return UNCHANGED
        reason = record.reversal_reason or gettext("委托方冲正")
        if record.external_reference != target:
            reason = f"{reason}（{gettext('冲正流水号')} {record.external_reference}）"
        loans.reverse_payment(self.actor, payment, reason=reason[:200])
        return UPDATED

    @staticmethod
    def _amount_differs(r: RowResult, amount: Decimal) -> str:
        r.errors.append(FieldProblem("amount", None, "reversal_amount_differs", format_lazy(
            _("冲正金额 {given} 与原还款金额 {amount} 不符"), given=r.record.amount, amount=amount),
            str(r.record.amount)))
        return REJECTED

    @staticmethod
    def _refuse_with(r: RowResult, exc: ValidationError) -> None:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"account": exc.messages}
        for key, messages in errors.items():
            name = _ERROR_FIELDS.get(key, "account_reference")
            for message in messages:
                r.errors.append(FieldProblem(name, None, f"refused_{key}", message))


class _Refused(Exception):
    """A row refused after its savepoint opened: roll the savepoint back."""


class _Joined:
    """Lazy ``、``-joined list of lazy texts (rendered in the active language)."""

    def __init__(self, parts):
        self.parts = parts

    def __str__(self):
        return "、".join(str(p) for p in self.parts)


def payment_writer(creditor, *, batch, actor, today):
    return PaymentWriter(creditor, batch=batch, actor=actor, today=today)


# --- the unmatched queue ----------------------------------------------------------------------------------

def _resolve(actor, unmatched: UnmatchedPayment, status: str, *, payment=None, note: str = "") -> UnmatchedPayment:
    unmatched.status, unmatched.payment, unmatched.note = status, payment, note[:200]
    unmatched.resolved_by = actor if getattr(actor, "pk", None) else None
    unmatched.resolved_at = clock.now()
    unmatched.save(update_fields=["status", "payment", "note", "resolved_by", "resolved_at"])
    audit.record(actor, f"import.unmatched.{status}", unmatched, {
        "external_reference": unmatched.external_reference, "amount": unmatched.amount,
        "account": payment.account.reference if payment is not None else None, "note": unmatched.note})
    return unmatched


def _waiting(unmatched: UnmatchedPayment) -> UnmatchedPayment:
    unmatched = UnmatchedPayment.objects.select_for_update().get(pk=unmatched.pk)
    if unmatched.status != UnmatchedStatus.WAITING:
        raise ValidationError({"status": [gettext("该笔还款已处理（%(s)s），不能再次处理") % {
            "s": unmatched.get_status_display()}]})
    return unmatched


@transaction.atomic
def match_unmatched_payment(actor, unmatched: UnmatchedPayment, account: LoanAccount, *,
                            note: str = "") -> UnmatchedPayment:
    """Record a waiting payment on the account a person chose (allocated by the product's waterfall) and mark it
    matched. Refused when it was already handled, the account belongs to another creditor, or the loan
    service refuses the payment (e.g. the account is recalled)."""
    unmatched = _waiting(unmatched)
    if account.creditor_id != unmatched.creditor_id:
        raise ValidationError({"account": [gettext("借据 %(a)s 不属于该笔还款的委托方") % {"a": account.reference}]})
    if len(note) > 200:
        raise ValidationError({"note": [gettext("备注不能超过 200 个字符")]})
    payment, _created = loans.record_payment(actor, account=account, amount=unmatched.amount,
                                             paid_at=unmatched.paid_at, channel=unmatched.channel,
                                             external_reference=unmatched.external_reference)
    return _resolve(actor, unmatched, UnmatchedStatus.MATCHED, payment=payment, note=note)


@transaction.atomic
def dismiss_unmatched_payment(actor, unmatched: UnmatchedPayment, *, note: str) -> UnmatchedPayment:
    """Take a waiting payment off the queue without recording it (not ours, a duplicate …); the reason is kept."""
    unmatched = _waiting(unmatched)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [gettext("请填写驳回原因")]})
    if len(note) > 200:
        raise ValidationError({"note": [gettext("备注不能超过 200 个字符")]})
    return _resolve(actor, unmatched, UnmatchedStatus.DISMISSED, note=note)
