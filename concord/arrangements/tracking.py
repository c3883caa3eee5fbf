"""Keeping track of active arrangements: payments mark instalments paid; the daily check breaks an arrangement
whose instalment is unpaid after the grace days and completes one that is fully paid. Either way the compliance
hold it placed is released and the case's activity log says so."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.cases.activities import log_activity
from concord.core import audit, clock
from concord.loans.models import Payment

from . import calculator
from .models import Arrangement, ArrangementStatus
from .phrases import say_missed


def _local_start(moment: dt.datetime) -> dt.datetime:
    day = timezone.localtime(moment).date()
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@transaction.atomic(savepoint=False)
def refresh_payments(actor, arrangement: Arrangement, **cause) -> bool:
    """Recompute what each instalment has been paid from the case's payments since the arrangement started
    (reversed payments excluded). Returns whether anything changed.

    A change is recorded (``arrangement.payments``: each instalment whose paid amount or date moved, and the paid
    total, before and after) in the same transaction — the caller's when there is one. ``cause`` names what set the
    refresh off (the payment, the daily check, the activation) and is kept in the event."""
    payments = Payment.objects.filter(account__case_id=arrangement.case_id, reversed_at__isnull=True,
                                      paid_at__gte=_local_start(arrangement.activated_at))
    rows = list(arrangement.instalments.select_for_update().order_by("number"))
    spread = calculator.apply_payments([r.amount for r in rows],
                                       [(timezone.localtime(p.paid_at).date(), p.amount) for p in payments])
    changed, moves = [], []
    for row, (paid, paid_on) in zip(rows, spread):
        if (row.paid_amount, row.paid_on) != (paid, paid_on):
            moves.append({"number": row.number, "paid_amount": [str(row.paid_amount), str(paid)],
                          "paid_on": [_iso(row.paid_on), _iso(paid_on)]})
            row.paid_amount, row.paid_on = paid, paid_on
            changed.append(row)
    if changed:
        type(rows[0]).objects.bulk_update(changed, ["paid_amount", "paid_on"])
    before = arrangement.paid_total
    total = sum((paid for paid, _on in spread), Decimal("0.00"))
    if total != before:
        Arrangement.objects.filter(pk=arrangement.pk).update(paid_total=total)
        arrangement.paid_total = total
    if changed or total != before:
        audit.record(actor, "arrangement.payments", arrangement, {
            **cause, "paid_total": [str(before), str(total)], "instalments": moves})
    return bool(changed)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _release(actor, arrangement: Arrangement, reason: str) -> None:
    from concord.compliance.models import Hold
    from concord.compliance.services import release_hold

    if arrangement.hold_id and Hold.objects.filter(pk=arrangement.hold_id, released_at__isnull=True).exists():
        release_hold(actor, arrangement.hold, reason=reason)


def _end(actor, arrangement: Arrangement, status: str, reason: str, phrase: tuple, details: dict) -> None:
    now = clock.now()
    done = Arrangement.objects.filter(pk=arrangement.pk, status=ArrangementStatus.ACTIVE).update(
        status=status, ended_at=now, end_reason=reason[:200])
    if not done:
        return
    arrangement.status, arrangement.ended_at, arrangement.end_reason = status, now, reason[:200]
    _release(actor, arrangement, reason)
    audit.record(actor, f"arrangement.{status}", arrangement, {"reason": reason, **details})
    log_activity(actor, arrangement.case, kind="arrangement", phrase=phrase,
                 details={"arrangement": arrangement.pk, "status": status, **details})


def _complete(actor, arrangement: Arrangement) -> None:
    _end(actor, arrangement, ArrangementStatus.COMPLETED, _("方案已全部履行"),
         ("arrangement.complete", {"n": arrangement.pk, "t": arrangement.paid_total}),
         {"paid_total": str(arrangement.paid_total)})


def _all_paid(arrangement: Arrangement) -> bool:
    return not arrangement.instalments.exclude(paid_on__isnull=False).exists()


@transaction.atomic(savepoint=False)
def follow_payment(actor, account, payment, *, reversed: bool) -> None:
    """Ledger follower (runs inside ``record_payment``/``reverse_payment``): bring the case's active arrangement
    up to date and complete it when every instalment is paid."""
    if not account.case_id:
        return
    arrangement = (Arrangement.objects.select_for_update().select_related("case")
                   .filter(case_id=account.case_id, status=ArrangementStatus.ACTIVE).first())
    if arrangement is None:
        return
    refresh_payments(actor, arrangement, payment=payment.pk, reversed=reversed)
    if _all_paid(arrangement):
        _complete(actor, arrangement)


def check_arrangements(day: dt.date | None = None, *, actor=None) -> dict:
    """The daily check, one transaction per arrangement: complete the fully paid, break those with an instalment
    unpaid more than the grace days after its due date. Returns the ids of each."""
    day = day or clock.today()
    out = {"completed": [], "broken": [], "checked": 0}
    ids = list(Arrangement.objects.filter(status=ArrangementStatus.ACTIVE).order_by("id").values_list("id", flat=True))
    for pk in ids:
        with transaction.atomic():
            arrangement = (Arrangement.objects.select_for_update().select_related("case")
                           .filter(pk=pk, status=ArrangementStatus.ACTIVE).first())
            if arrangement is None:
                continue
            out["checked"] += 1
            refresh_payments(actor, arrangement, check=day.isoformat())
            if _all_paid(arrangement):
                _complete(actor, arrangement)
                out["completed"].append(pk)
                continue
            rows = list(arrangement.instalments.order_by("number"))
            missed = calculator.first_missed([(r.due_date, r.amount, r.paid_amount) for r in rows], day,
                                             arrangement.grace_days)
            if missed is not None:
                row = rows[missed]
                missed_row = {"n": row.number, "d": row.due_date, "a": row.amount, "g": arrangement.grace_days}
                reason = say_missed(missed_row)
                _end(actor, arrangement, ArrangementStatus.BROKEN, reason,
                     ("arrangement.broken", {"n": arrangement.pk, "r": missed_row}),
                     {"instalment": row.number, "due_date": row.due_date.isoformat(), "day": day.isoformat(),
                      "unpaid": str(row.amount - row.paid_amount)})
                out["broken"].append(pk)
    return out


def open_arrangements(case_ids) -> dict[int, list[dict]]:
    """The open arrangements of these cases, for the creditor's recall report (``cases.recall_reports``)."""
    from .models import OPEN, Arrangement
    out: dict[int, list[dict]] = {}
    for a in Arrangement.objects.filter(case_id__in=list(case_ids), status__in=OPEN).order_by("id"):
        out.setdefault(a.case_id, []).append({"kind": "arrangement", "id": a.pk, "amount": str(a.total),
                                              "paid": str(a.paid_total), "months": a.months, "status": a.status,
                                              "arrangement_kind": a.kind})
    return out
