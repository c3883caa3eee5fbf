"""A seeded book for the statements, with every figure worked out by hand in the tests.

Batch B1 of the bank, placed 2026-09-08 until 2026-11-20, terms M1 12%, M2 18%, M3+ 25%, cap ¥500 and minimum ¥5
per payment, legal-track recoveries 30%, direct payments not counted, a case with a running promise retained.
CARD-0001 (case a) was M1 at placement, LOAN-0003 (case u) M2.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from concord.creditors.models import PlacementAccount
from concord.loans import services as loans
from concord.loans.models import LoanAccount
from concord.placements.tests.helpers import bank_batch

SH = ZoneInfo("Asia/Shanghai")
TERMS = {"buckets": {"M1": "0.12", "M2": "0.18", "M3+": "0.25"}, "cap": "500", "minimum": "5", "legal_rate": "0.30"}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), SH)


def pay(reference: str, day: str, amount: str, channel: str = "alipay", ref: str | None = None):
    account = LoanAccount.objects.get(reference=reference)
    payment, _ = loans.record_payment("tester", account=account, amount=Decimal(amount), paid_at=at(day),
                                      channel=channel, external_reference=ref or f"{reference}-{day}-{amount}")
    return payment


def seed_batch(world, **terms):
    placement = bank_batch(world, reference="B1", placed_on=dt.date(2026, 9, 8), period_days=73,
                           commission_terms=terms.pop("commission_terms", TERMS), retain_when="promise", **terms)
    PlacementAccount.objects.filter(account__reference="CARD-0001").update(bucket="M1")
    PlacementAccount.objects.filter(account__reference="LOAN-0003").update(bucket="M2")
    return placement


def october(world):
    """Four payments: 1000 (M1 → 120.00), 20 (M2 18% = 3.60 → minimum 5.00), 5000 (M1 600 → cap 500.00), 800 paid
    directly to the creditor (not counted → 0)."""
    return [pay("CARD-0001", "2026-10-05", "1000.00"), pay("LOAN-0003", "2026-10-10", "20.00"),
            pay("CARD-0001", "2026-10-20", "5000.00"), pay("LOAN-0003", "2026-10-25", "800.00", "creditor_direct")]
