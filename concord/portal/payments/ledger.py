"""The portal's payment writers: orders the borrower starts, the providers' notifications, the daily reconciliation.

A notification is believed only after its signature is verified (``providers``); then, in one transaction, its
order is found and locked, the amount compared, and the payment posted through the ledger's own service
(``loans.services.record_payment``: the waterfall, promises and arrangements follow as for any payment). The
provider's trade number is the payment's external reference, so a notification repeated is posted once. Every
notification is recorded with its outcome (posted, duplicate, refused and why) and audited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.actors import Borrower
from concord.core.services import require, save_validated
from concord.loans import services as ledger
from concord.loans.models import AccountStatus, LoanAccount, PaymentChannel

from ..models import NotificationOutcome, OrderStatus, PaymentNotification, PaymentOrder, Reconciliation
from . import providers

CHANNEL = {"alipay": PaymentChannel.ALIPAY, "sandbox": PaymentChannel.ALIPAY, "wechat": PaymentChannel.WECHAT_PAY}


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("请输入金额，如 500 或 500.50")]}) from None
    require(amount.is_finite() and amount > 0, "amount", _("金额必须大于 0"))
    require(amount == amount.quantize(Decimal("0.01")), "amount", _("金额最多两位小数（到分）"))
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def start_payment(actor: Borrower, *, account: LoanAccount, amount, provider: str) -> PaymentOrder:
    """The borrower pays ``amount`` (all or part of what is owed) on one of their own accounts."""
    account = LoanAccount.objects.select_for_update().get(pk=account.pk)
    require(account.debtor_id == actor.debtor_id, "account", _("该账户不属于您"))
    require(account.status == AccountStatus.OPEN, "account", _("该账户已结清或不在催收中"))
    require(provider in providers.enabled(), "provider", _("不支持的支付方式"))
    amount = _amount(amount)
    owed = account.total_balance
    require(amount <= owed, "amount", _("金额不能超过欠款 %(b)s 元") % {"b": owed})
    now = clock.now()
    order = save_validated(PaymentOrder(
        out_trade_no=f"CP{now:%Y%m%d%H%M%S}{secrets.token_hex(5).upper()}", provider=provider,
        debtor_id=actor.debtor_id, account=account, amount=amount, created_at=now))
    audit.record(actor, "portal.payment.start", order, {"account": account.reference, "amount": str(amount),
                                                        "provider": provider, "out_trade_no": order.out_trade_no})
    return order


def receive_notification(provider_name: str, headers: dict, body: bytes) -> tuple[providers.Ack, PaymentNotification]:
    """Verify, record and (when good) post one asynchronous notification; the answer the provider expects."""
    received = clock.now()
    digest = hashlib.sha256(body).hexdigest()
    try:
        provider = providers.provider(provider_name)
        notice = provider.parse_notification(headers, body)
    except (providers.NotificationRefused, providers.ProviderNotConfigured) as exc:
        note = _refuse(provider_name, received, digest, str(exc))
        return _ack(provider_name, False), note
    try:
        note = _post(provider_name, notice, received, digest)
    except ValidationError as exc:
        reason = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.message_dict.items())
        note = _refuse(provider_name, received, digest, f"not posted: {reason}", notice)
        _mark_failed(notice, provider_name, reason)
        return _ack(provider_name, False), note
    return _ack(provider_name, note.outcome != NotificationOutcome.REFUSED), note


def _ack(name, ok):
    return (providers.PROVIDERS[name].ack(None, ok) if name in providers.PROVIDERS
            else providers.Ack("fail", "text/plain", 404))


@transaction.atomic
def _refuse(name, received, digest, reason, notice=None) -> PaymentNotification:
    order = None
    if notice is not None:
        order = PaymentOrder.objects.filter(out_trade_no=notice.out_trade_no, provider=name).first()
    note = PaymentNotification.objects.create(
        provider=name[:10], received_at=received, outcome=NotificationOutcome.REFUSED, reason=reason[:300],
        out_trade_no=getattr(notice, "out_trade_no", "")[:64], trade_no=getattr(notice, "trade_no", "")[:64],
        amount=str(getattr(notice, "amount", ""))[:32], order=order, body_sha256=digest)
    audit.record(f"provider:{name}"[:40], "portal.payment.refused", note, {"reason": reason[:300],
                                                                        "out_trade_no": note.out_trade_no})
    return note


@transaction.atomic
def _mark_failed(notice, name, reason):
    order = PaymentOrder.objects.select_for_update().filter(out_trade_no=notice.out_trade_no, provider=name).first()
    if order is not None and order.status == OrderStatus.CREATED:
        order.status, order.failure = OrderStatus.FAILED, reason[:300]
        order.save(update_fields=["status", "failure"])
        audit.record(f"provider:{name}", "portal.payment.failed", order, {"reason": reason[:300]})


@transaction.atomic
def _post(name, notice: providers.Notice, received, digest) -> PaymentNotification:
    order = PaymentOrder.objects.select_for_update().filter(out_trade_no=notice.out_trade_no, provider=name).first()
    if order is None:
        return _refuse(name, received, digest, "unknown order", notice)
    if notice.amount != order.amount:
        return _refuse(name, received, digest, f"wrong amount: {notice.amount} for an order of {order.amount}",
                       notice)
    if order.status == OrderStatus.PAID:
        if order.trade_no == notice.trade_no:
            note = PaymentNotification.objects.create(
                provider=name, received_at=received, outcome=NotificationOutcome.DUPLICATE, reason="already posted",
                out_trade_no=notice.out_trade_no, trade_no=notice.trade_no, amount=str(notice.amount), order=order,
                body_sha256=digest)
            audit.record(f"provider:{name}", "portal.payment.duplicate", note, {"out_trade_no": order.out_trade_no})
            return note
        return _refuse(name, received, digest, "order already paid by another trade", notice)
    actor = Borrower(order.debtor_id, channel=name)
    payment, _created = ledger.record_payment(actor, account=order.account, amount=order.amount,
                                              paid_at=min(notice.paid_at, clock.now()), channel=CHANNEL[name],
                                              external_reference=f"{name}:{notice.trade_no}"[:100])
    order.status, order.trade_no, order.paid_at, order.payment = (OrderStatus.PAID, notice.trade_no, notice.paid_at,
                                                                  payment)
    try:
        with transaction.atomic():
            order.save(update_fields=["status", "trade_no", "paid_at", "payment"])
    except IntegrityError:
        raise ValidationError({"trade_no": ["trade number already used by another order"]}) from None
    note = PaymentNotification.objects.create(
        provider=name, received_at=received, outcome=NotificationOutcome.POSTED, out_trade_no=notice.out_trade_no,
        trade_no=notice.trade_no, amount=str(notice.amount), order=order, body_sha256=digest)
    audit.record(actor, "portal.payment.posted", order, {"payment": payment.pk, "amount": str(order.amount),
                                                         "trade_no": notice.trade_no, "provider": name})
    return note


@transaction.atomic
def reconcile(actor, *, provider_name: str, day: dt.date, text: str, file_name: str = "") -> Reconciliation:
    """Compare the provider's bill for ``day`` with the orders: matched rows, payments the bill shows that no
    notification posted (posted now, from the bill), amounts that differ, orders paid here but absent from the bill."""
    require(provider_name in providers.PROVIDERS, "provider", _("未知的支付渠道"))
    try:
        rows = providers.PROVIDERS[provider_name].parse_bill(text)
    except (providers.NotificationRefused, ValueError, KeyError) as exc:
        raise ValidationError({"file": [_("账单无法读取：%(e)s") % {"e": exc}]}) from None
    differences, matched, posted, seen = [], 0, 0, set()
    for row in rows:
        seen.add(row.out_trade_no)
        order = PaymentOrder.objects.select_for_update().filter(out_trade_no=row.out_trade_no,
                                                                provider=provider_name).first()
        if order is None:
            differences.append({"out_trade_no": row.out_trade_no, "trade_no": row.trade_no, "issue": "unknown order"})
        elif order.amount != row.amount:
            differences.append({"out_trade_no": row.out_trade_no, "trade_no": row.trade_no, "issue": "amount differs",
                                "bill": str(row.amount), "order": str(order.amount)})
        elif order.status == OrderStatus.PAID and order.trade_no == row.trade_no:
            matched += 1
        elif order.status == OrderStatus.PAID:
            differences.append({"out_trade_no": row.out_trade_no, "trade_no": row.trade_no,
                                "issue": "trade number differs", "order": order.trade_no})
        else:  # the notification never came (or failed): the bill is the provider's statement of the payment
            notice = providers.Notice(row.out_trade_no, row.trade_no, row.amount, row.paid_at or clock.now())
            try:
                with transaction.atomic():
                    _post(provider_name, notice, clock.now(), "bill")
                posted += 1
                differences.append({"out_trade_no": row.out_trade_no, "trade_no": row.trade_no,
                                    "issue": "posted from the bill (no notification)"})
            except ValidationError as exc:
                differences.append({"out_trade_no": row.out_trade_no, "trade_no": row.trade_no,
                                    "issue": "could not post", "reason": str(exc.messages)[:200]})
    start, end = clock.day_start(day), clock.day_start(day + dt.timedelta(days=1))
    for order in PaymentOrder.objects.filter(provider=provider_name, status=OrderStatus.PAID, paid_at__gte=start,
                                             paid_at__lt=end).exclude(out_trade_no__in=seen):
        differences.append({"out_trade_no": order.out_trade_no, "trade_no": order.trade_no, "issue": "not in the bill"})
    run = save_validated(Reconciliation(provider=provider_name, day=day, file_name=file_name[:200],
                                        file_sha256=hashlib.sha256(text.encode()).hexdigest(), matched=matched,
                                        posted_from_bill=posted, differences=differences, run_at=clock.now()))
    audit.record(actor, "portal.reconcile", run, {"provider": provider_name, "day": str(day), "rows": len(rows),
                                                  "matched": matched, "posted": posted,
                                                  "differences": len(differences)})
    return run
