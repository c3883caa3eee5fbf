"""Reading placement batches: their figures (counts, balance placed, recovered to date, days left) and accounts.

*Recovered to date* counts the payments (not reversed) on the batch's accounts made from the placement date, in the
creditor's time zone, and — for an account recalled — up to its recall date: what came in while the agency held it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum

from concord.creditors.commission import recovery_rate
from concord.creditors.models import AccountState, Placement, PlacementAccount
from concord.loans.models import Payment

ZERO = Decimal("0.00")


def local_date(at: dt.datetime, zone: ZoneInfo) -> dt.date:
    return at.astimezone(zone).date()


def payments_while_placed(placement: Placement, *, until: dt.date | None = None):
    """``(PlacementAccount, Payment)`` for each payment (not reversed) made while the batch held the account, up
    to ``until`` (inclusive) when given."""
    zone = ZoneInfo(placement.creditor.time_zone)
    rows = {r.account_id: r for r in placement.accounts.all()}
    out = []
    for payment in (Payment.objects.filter(account_id__in=list(rows), reversed_at__isnull=True)
                    .order_by("paid_at", "id")):
        row = rows[payment.account_id]
        day = local_date(payment.paid_at, zone)
        if day < placement.placed_on or (row.recalled_on and day > row.recalled_on) or (until and day > until):
            continue
        out.append((row, payment))
    return out


@dataclass
class BatchFigures:
    placement: Placement
    accounts: int = 0
    placed: int = 0
    recalled: int = 0
    retained: int = 0
    balance: Decimal = ZERO
    recovered: Decimal = ZERO
    days_left: int = 0
    overdue_days: int = 0     # an active batch past its return date, not yet ended (the schedule is off or late)
    by_account: dict = field(default_factory=dict)

    @property
    def recovery_rate(self) -> Decimal:
        return recovery_rate(self.recovered, self.balance)

    @property
    def recovery_percent(self) -> str:
        return f"{self.recovery_rate * 100:.2f}%"


def batch_figures(placement: Placement, today: dt.date, *, until: dt.date | None = None) -> BatchFigures:
    counts = placement.accounts.aggregate(
        accounts=Count("id"), balance=Sum("balance"),
        placed=Count("id", filter=Q(state=AccountState.PLACED)),
        recalled=Count("id", filter=Q(state=AccountState.RECALLED)),
        retained=Count("id", filter=Q(state=AccountState.RETAINED)))
    figures = BatchFigures(placement, accounts=counts["accounts"], placed=counts["placed"],
                           recalled=counts["recalled"], retained=counts["retained"],
                           balance=counts["balance"] or ZERO, days_left=max((placement.return_on - today).days, 0),
                           overdue_days=max((today - placement.return_on).days, 0)
                           if placement.status == "active" else 0)
    for row, payment in payments_while_placed(placement, until=until):
        figures.recovered += payment.amount
        figures.by_account[row.account_id] = figures.by_account.get(row.account_id, ZERO) + payment.amount
    return figures


def batches(*, creditor=None):
    qs = Placement.objects.select_related("creditor").prefetch_related("products").order_by("-placed_on", "-id")
    return qs.filter(creditor=creditor) if creditor is not None else qs


def batch_accounts(placement: Placement):
    return (PlacementAccount.objects.filter(placement=placement)
            .select_related("account", "account__case").order_by("state", "account__reference"))
