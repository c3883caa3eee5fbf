"""Promises to pay (承诺还款): record one, track it by payments to kept / partially kept / broken, remind before
its date.

Payments count towards a promise when they are made on a case account from the promise's day to its date plus the
product's grace days, and are not reversed. ``on_payment_changed`` (a loans follower) re-evaluates the case's
promises in the payment's transaction; ``evaluate_promises(day)`` closes the ones whose window has passed;
``remind_promises(day)`` creates the reminder tasks. ``concord work evaluate`` / ``concord work remind`` run them.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import require, save_validated

from concord.cases.activities import check_note, log_activity
from concord.cases.models import ACTIVE_STATUSES
from .models import Promise, PromiseStatus, TaskKind
from .policy import PROMISE_REMINDER_DAYS, promise_max_days, promise_status


def _products(case, accounts=None):
    from concord.loans.models import AccountStatus

    accounts = list(case.accounts.select_related("product")) if accounts is None else list(accounts)
    open_ = [a for a in accounts if a.status == AccountStatus.OPEN] or accounts
    return [a.product for a in open_]


def promise_limits(case, today: dt.date | None = None, *, accounts=None) -> dict:
    """What a promise on this case may be: latest date, grace days, largest amount (the balance). ``accounts``:
    the case's accounts with their products, when the caller has them already."""
    today = today or clock.today()
    products = _products(case, accounts)
    days = promise_max_days([p.kind for p in products])
    grace = max([p.promise_grace_days for p in products] or [1])
    return {"earliest": today, "latest": today + dt.timedelta(days=days), "max_days": days, "grace_days": grace,
            "max_amount": case.total_balance}


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    require(amount is not None and amount.is_finite(), "amount", _("承诺金额不是有效数字"))
    require(amount > 0, "amount", _("承诺金额必须大于 0"))
    require(amount == amount.quantize(Decimal("0.01")), "amount", _("承诺金额最多两位小数（到分）"))
    return amount


@transaction.atomic
def record_promise(actor, case, *, amount, due_date: dt.date, note: str = "", activity=None) -> Promise:
    """Record a promise: amount > 0 and not above the balance, date from today to the product's limit. A pending
    promise of the case is superseded by the new one. Without ``activity`` (the call that carried it), a
    ``promise`` entry is written to the activity log."""
    require(case.status in ACTIVE_STATUSES, "case", _("案件已结束，不能登记承诺还款"))
    amount = _amount(amount)
    limits = promise_limits(case)
    if case.total_balance > 0:
        require(amount <= case.total_balance, "amount",
                _("承诺金额不能超过欠款总额 %(b)s") % {"b": case.total_balance})
    require(isinstance(due_date, dt.date), "due_date", _("请填写承诺还款日期"))
    require(due_date >= limits["earliest"], "due_date", _("承诺还款日期不能早于今天"))
    require(due_date <= limits["latest"], "due_date", _("承诺还款日期不能晚于 %(d)s（该产品最长 %(n)d 天）") % {
        "d": limits["latest"], "n": limits["max_days"]})
    note = (note or "").strip()[:200]
    check_note(note)
    now = clock.now()
    superseded = list(case.promises.select_for_update().filter(status=PromiseStatus.PENDING))
    for old in superseded:
        old.status, old.resolved_at = PromiseStatus.SUPERSEDED, now
        old.save(update_fields=["status", "resolved_at"])
    if activity is None:
        activity = log_activity(actor, case, kind="promise", summary=_("承诺 %(d)s 前还款 %(a)s 元") % {
            "d": due_date, "a": amount}, note=note, details={"amount": str(amount), "due_date": str(due_date)})
    promise = save_validated(Promise(case=case, amount=amount, due_date=due_date, grace_days=limits["grace_days"],
                                     made_at=now, activity=activity, note=note,
                                     created_by=actor if getattr(actor, "pk", None) else None))
    paid = _paid_towards(promise)
    if paid:
        _apply_status(actor, promise, clock.today(), paid)
    audit.record(actor, "promise.record", promise, {"case": case.reference, "amount": str(amount),
                                                    "due_date": str(due_date), "grace_days": promise.grace_days,
                                                    "superseded": [p.pk for p in superseded]})
    return promise


def _window(promise) -> tuple[dt.datetime, dt.datetime]:
    start = clock.day_start(timezone.localtime(promise.made_at).date())
    end = clock.day_start(promise.due_date + dt.timedelta(days=promise.grace_days + 1))
    return start, end


def _paid_towards(promise) -> Decimal:
    from concord.loans.models import Payment

    start, end = _window(promise)
    total = (Payment.objects.filter(account__case_id=promise.case_id, reversed_at__isnull=True,
                                    paid_at__gte=start, paid_at__lt=end).aggregate(s=Sum("amount"))["s"])
    return total or Decimal("0")


def _apply_status(actor, promise, today: dt.date, paid: Decimal) -> bool:
    """Set the promise's paid amount to ``paid`` and its status from it; what changed is written with an audit event
    (``promise.status`` when the status moved, else ``promise.paid``). True if the status changed."""
    new = promise_status(promise.amount, paid, promise.due_date, promise.grace_days, today)
    changes = {"paid": [str(promise.paid_amount), str(paid)]}
    fields = ["paid_amount"] if paid != promise.paid_amount else []
    promise.paid_amount = paid
    changed = new != promise.status
    if changed:
        changes["status"] = [promise.status, new]
        promise.status = new
        promise.resolved_at = None if new == PromiseStatus.PENDING else clock.now()
        fields += ["status", "resolved_at"]
    if fields and promise.pk:
        promise.save(update_fields=fields)
        audit.record(actor, "promise.status" if changed else "promise.paid", promise, changes)
    return changed


@transaction.atomic(savepoint=False)
def on_payment_changed(actor, account, payment, *, reversed: bool) -> None:
    """Loans follower: a payment recorded or reversed on one of a case's accounts re-evaluates the case's promises
    whose window contains the payment (in the payment's transaction)."""
    if not account.case_id:
        return
    today = clock.today()
    for promise in (Promise.objects.select_for_update().filter(case_id=account.case_id)
                    .exclude(status=PromiseStatus.SUPERSEDED)):
        start, end = _window(promise)
        if not (start <= payment.paid_at < end):
            continue
        _apply_status(actor, promise, today, _paid_towards(promise))


def evaluate_promises(day: dt.date | None = None, *, actor=None) -> dict:
    """Close every pending promise whose date plus grace days is before ``day``: kept, partially kept or broken.
    Each promise in its own transaction. Returns counts by new status."""
    day = day or clock.today()
    counts = {"kept": 0, "partial": 0, "broken": 0}
    for pk in Promise.objects.filter(status=PromiseStatus.PENDING, due_date__lt=day).values_list("pk", flat=True):
        with transaction.atomic():
            promise = Promise.objects.select_for_update().get(pk=pk)
            if promise.status != PromiseStatus.PENDING or day <= promise.due_date + dt.timedelta(
                    days=promise.grace_days):
                continue
            if _apply_status(actor, promise, day, _paid_towards(promise)):
                counts[promise.status] += 1
    return counts


def remind_promises(day: dt.date | None = None, *, actor=None, days_before: int = PROMISE_REMINDER_DAYS) -> int:
    """Create a reminder task (once per promise) for every pending promise due from ``day`` to ``day`` +
    ``days_before``, for the case's collector, due at 09:00 of ``day`` (or now if later). Returns how many."""
    from .followups import create_task

    day = day or clock.today()
    due = (Promise.objects.select_related("case", "case__assigned_collector")
           .filter(status=PromiseStatus.PENDING, due_date__gte=day, due_date__lte=day + dt.timedelta(days=days_before),
                   case__status__in=ACTIVE_STATUSES)
           .exclude(tasks__kind=TaskKind.PROMISE_REMINDER))
    when = max(clock.day_start(day) + dt.timedelta(hours=9), clock.now())
    made = 0
    for promise in due:
        with transaction.atomic():
            create_task(actor, promise.case, kind=TaskKind.PROMISE_REMINDER, promise=promise, due_at=when, log=False,
                        title=_("承诺还款提醒：%(a)s 元于 %(d)s 到期") % {"a": promise.amount, "d": promise.due_date})
            made += 1
    return made


def say_promise(activity) -> str:
    d = activity.details or {}
    if "amount" not in d or "due_date" not in d:
        return ""
    from concord.core.templatetags.concord_format import amount
    return _("承诺 %(d)s 前还款 %(a)s 元") % {"d": d["due_date"], "a": amount(d["amount"])}


def promise_values(case, today: dt.date) -> dict:
    """The message templates' ``{promise_amount}`` and ``{promise_date}`` for ``case``: its pending promise, else the
    latest one not kept (broken or partly kept); none when the case has neither (a template using them is refused)."""
    promise = (case.promises.filter(status=PromiseStatus.PENDING).order_by("due_date", "id").first()
               or case.promises.filter(status__in=(PromiseStatus.BROKEN, PromiseStatus.PARTIAL))
               .order_by("-due_date", "-id").first())
    if promise is None:
        return {}
    return {"promise_amount": f"{promise.amount:,.2f}", "promise_date": promise.due_date.isoformat()}


def open_promises(case_ids) -> dict[int, list[dict]]:
    """The pending promises of these cases, for the creditor's recall report (``cases.recall_reports``)."""
    from .models import OPEN_PROMISE, Promise
    out: dict[int, list[dict]] = {}
    for p in Promise.objects.filter(case_id__in=list(case_ids), status__in=OPEN_PROMISE).order_by("due_date", "id"):
        out.setdefault(p.case_id, []).append({"kind": "promise", "id": p.pk, "amount": str(p.amount),
                                              "due": p.due_date.isoformat(), "status": p.status})
    return out
