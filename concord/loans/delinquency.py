"""Delinquency: days past due, M-buckets, penalty interest, late fees and the cost cap.

Pure Python, no Django imports.  Amounts are ``Decimal`` rounded half-up to
the fen.

Simplification used by :func:`penalty_accrued` and :func:`fees_accrued`: only
the CURRENT unpaid balances of each instalment are known, so they are treated
as if they had been unpaid for the whole overdue period.  Partial payments made
during the overdue period are therefore not pro-rated, and an instalment that
has since been settled accrues nothing.  Use a ledger of dated balances for
exact penalty histories.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from concord.core.money import FEN, to_decimal

ZERO = Decimal("0.00")

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
"""Delinquency buckets: M0 current, M1 = 1–30 days past due, … M7+ = over 180 days."""

DAYS_PER_BUCKET = 30


@dataclass(frozen=True)
class DueItem:
    """One instalment as due and as paid so far."""

    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("principal_due", "interest_due", "principal_paid", "interest_paid"):
            if to_decimal(getattr(self, name), name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    @property
    def principal_unpaid(self) -> Decimal:
        """Principal still owed on this instalment (never negative)."""
        return max(Decimal(self.principal_due) - Decimal(self.principal_paid), ZERO)

    @property
    def interest_unpaid(self) -> Decimal:
        """Interest still owed on this instalment (never negative)."""
        return max(Decimal(self.interest_due) - Decimal(self.interest_paid), ZERO)

    @property
    def is_settled(self) -> bool:
        """True when neither principal nor interest is still owed."""
        return self.principal_unpaid == 0 and self.interest_unpaid == 0


@dataclass(frozen=True)
class PenaltyRule:
    """How overdue instalments are charged.

    ``daily_rate``: penalty interest per day, e.g. ``Decimal("0.0005")`` (万五).
    ``compound_on_interest``: also charge penalty on unpaid contractual interest.
    ``grace_days``: no penalty or fee while an instalment is at most this many days late.
    ``late_fee``: one-off fee per instalment overdue beyond the grace period.
    ``total_cost_cap_rate``: annualised cap (e.g. ``Decimal("0.24")``) on all
    charges — contractual interest + penalty + fees — relative to the contract
    principal; ``None`` for no cap.
    """

    daily_rate: Decimal
    compound_on_interest: bool = False
    grace_days: int = 0
    late_fee: Decimal = ZERO
    total_cost_cap_rate: Decimal | None = None

    def __post_init__(self) -> None:
        if to_decimal(self.daily_rate, "daily_rate") < 0:
            raise ValueError(f"daily_rate must not be negative, got {self.daily_rate}")
        if isinstance(self.grace_days, bool) or not isinstance(self.grace_days, int) or self.grace_days < 0:
            raise ValueError(f"grace_days must be a non-negative int, got {self.grace_days!r}")
        if to_decimal(self.late_fee, "late_fee") < 0:
            raise ValueError(f"late_fee must not be negative, got {self.late_fee}")
        if self.total_cost_cap_rate is not None and to_decimal(self.total_cost_cap_rate, "total_cost_cap_rate") < 0:
            raise ValueError(f"total_cost_cap_rate must not be negative, got {self.total_cost_cap_rate}")


def days_past_due(items: Sequence[DueItem], as_of: date) -> int:
    """Days since the due date of the oldest unsettled instalment due before ``as_of``; 0 if none."""
    overdue_dates = [item.due_date for item in items if not item.is_settled and item.due_date < as_of]
    if not overdue_dates:
        return 0
    return (as_of - min(overdue_dates)).days


def bucket(dpd: int) -> str:
    """Map days past due to a bucket in :data:`BUCKETS` (M1 = 1–30, M2 = 31–60, …, M7+ > 180)."""
    if isinstance(dpd, bool) or not isinstance(dpd, int):
        raise TypeError(f"dpd must be an int, not {type(dpd).__name__}")
    if dpd < 0:
        raise ValueError(f"dpd must not be negative, got {dpd}")
    index = -(-dpd // DAYS_PER_BUCKET)  # ceil(dpd / 30)
    return BUCKETS[min(index, len(BUCKETS) - 1)]


@lru_cache(maxsize=1)
def bucket_bounds() -> tuple[tuple[int | None, str], ...]:
    """:func:`bucket` as each bucket's highest DPD, the last one open-ended — ``((0, "M0"), (30, "M1"), …,
    (180, "M6"), (None, "M7+"))`` — read off :func:`bucket` itself, so that the columnar engines (the end-of-day
    run's CASE expression, the write-back's sorted search) apply exactly its rule."""
    bounds, dpd = [], 0
    while (name := bucket(dpd)) != BUCKETS[-1]:
        while bucket(dpd + 1) == name:
            dpd += 1
        bounds.append((dpd, name))
        dpd += 1
    return (*bounds, (None, BUCKETS[-1]))


def penalty_accrued(items: Sequence[DueItem], as_of: date, rule: PenaltyRule) -> Decimal:
    """Penalty interest (罚息) accrued on overdue instalments as of ``as_of``.

    For each unsettled instalment more than ``rule.grace_days`` days late:
    ``unpaid principal × daily_rate × days overdue`` (days counted from the due
    date, grace included), plus the same on the unpaid interest when
    ``rule.compound_on_interest``; rounded half-up to the fen per instalment.
    See the module docstring for the balance simplification.
    """
    daily_rate = to_decimal(rule.daily_rate, "daily_rate")
    total = ZERO
    for item, days in _overdue_beyond_grace(items, as_of, rule):
        base = item.principal_unpaid
        if rule.compound_on_interest:
            base += item.interest_unpaid
        total += _round(base * daily_rate * days)
    return total


def fees_accrued(items: Sequence[DueItem], as_of: date, rule: PenaltyRule) -> Decimal:
    """Late fees: ``rule.late_fee`` for each unsettled instalment overdue beyond the grace period."""
    count = sum(1 for _ in _overdue_beyond_grace(items, as_of, rule))
    return _round(to_decimal(rule.late_fee, "late_fee") * count)


def apply_cost_cap(
    *,
    contract_principal: Decimal,
    interest_charged: Decimal,
    penalty: Decimal,
    fees: Decimal,
    start: date,
    as_of: date,
    cap_rate: Decimal | None,
) -> tuple[Decimal, Decimal]:
    """Reduce ``(penalty, fees)`` so total charges stay within the annualised cap.

    The cap is ``contract_principal × cap_rate × (as_of − start).days / 365``,
    rounded half-up to the fen, and covers ``interest_charged + penalty +
    fees``.  Any excess is taken off the penalty first, then off the fees;
    neither goes below zero (contractual interest is never reduced here).
    ``cap_rate=None`` returns the inputs unchanged.
    """
    penalty = _round(to_decimal(penalty, "penalty"))
    fees = _round(to_decimal(fees, "fees"))
    if penalty < 0 or fees < 0:
        raise ValueError(f"penalty and fees must not be negative, got penalty={penalty}, fees={fees}")
    if cap_rate is None:
        return penalty, fees
    cap_rate = to_decimal(cap_rate, "cap_rate")
    if cap_rate < 0:
        raise ValueError(f"cap_rate must not be negative, got {cap_rate}")
    days = (as_of - start).days
    if days < 0:
        raise ValueError(f"as_of ({as_of}) must not be before start ({start})")
    cap = _round(to_decimal(contract_principal, "contract_principal") * cap_rate * days / 365)
    excess = _round(to_decimal(interest_charged, "interest_charged")) + penalty + fees - cap
    if excess <= 0:
        return penalty, fees
    penalty_cut = min(penalty, excess)
    fees_cut = min(fees, excess - penalty_cut)
    return penalty - penalty_cut, fees - fees_cut


def _overdue_beyond_grace(
    items: Sequence[DueItem], as_of: date, rule: PenaltyRule
) -> Iterator[tuple[DueItem, int]]:
    """Yield ``(item, days_overdue)`` for unsettled instalments late by more than the grace days."""
    for item in items:
        days = (as_of - item.due_date).days
        if days > rule.grace_days and not item.is_settled:
            yield item, days


def _round(value: Decimal) -> Decimal:
    """Round half-up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)
