"""Repayment schedules for the common Chinese consumer-loan methods.

Every amount is a ``Decimal`` rounded half-up to the fen.  Interest for a month
is ``remaining principal × annual_rate / 12``.  Rounding differences are
absorbed by the LAST instalment, so the principal column always sums exactly
to the loan principal and the final ``remaining`` is ``0.00``.

Pure Python, no Django imports.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from enum import Enum

from concord.core.money import FEN, MoneyInput, to_decimal, to_money

MAX_MONTHS = 600
ZERO = Decimal("0.00")


class RepaymentMethod(str, Enum):
    """How a loan is repaid."""

    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息: same total every month
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金: same principal every month
    INTEREST_ONLY = "interest_only"  # 先息后本: interest monthly, principal at the end
    BULLET = "bullet"  # 一次性还本付息: everything at maturity
    REVOLVING = "revolving"  # credit card: no fixed schedule


@dataclass(frozen=True)
class Instalment:
    """One row of a repayment schedule; ``remaining`` is the principal still owed after it."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    total: Decimal
    remaining: Decimal

    def as_dict(self) -> dict[str, int | str]:
        """Return a JSON-friendly dict: ISO due date and amounts as strings like ``"5307.27"``."""
        return {
            "number": self.number,
            "due_date": self.due_date.isoformat(),
            "principal": str(to_money(self.principal)),
            "interest": str(to_money(self.interest)),
            "total": str(to_money(self.total)),
            "remaining": str(to_money(self.remaining)),
        }


def add_months(d: date, n: int) -> date:
    """Return ``d`` moved by ``n`` calendar months, clamped to the month end.

    ``add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)``.
    """
    month_index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last_day))


def build_schedule(
    method: RepaymentMethod | str,
    principal: MoneyInput,
    annual_rate: MoneyInput,
    months: int,
    start: date,
) -> list[Instalment]:
    """Build the repayment schedule of a fixed-term loan.

    Instalment ``k`` (1-based) is due on ``add_months(start, k)``; a BULLET loan
    has a single instalment due on ``add_months(start, months)``.

    Raises ``ValueError`` naming the offending argument when ``method`` is
    unknown or REVOLVING (use :func:`card_minimum_payment`), ``principal <= 0``,
    ``annual_rate`` is outside ``[0, 1)`` or ``months`` is outside ``1..600``.
    """
    method = _validate_method(method)
    principal = to_money(principal)
    if principal <= 0:
        raise ValueError(f"principal must be greater than 0, got {principal}")
    annual_rate = to_decimal(annual_rate, "annual_rate")
    if not 0 <= annual_rate < 1:
        raise ValueError(f"annual_rate must be in [0, 1), got {annual_rate}")
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be an int, not {type(months).__name__}")
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}, got {months}")
    if not isinstance(start, date):
        raise TypeError(f"start must be a date, not {type(start).__name__}")

    monthly_rate = annual_rate / 12
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        return _equal_installment(principal, monthly_rate, months, start)
    if method is RepaymentMethod.EQUAL_PRINCIPAL:
        return _equal_principal(principal, monthly_rate, months, start)
    if method is RepaymentMethod.INTEREST_ONLY:
        return _interest_only(principal, monthly_rate, months, start)
    return _bullet(principal, annual_rate, months, start)


def card_minimum_payment(
    statement_balance: MoneyInput,
    *,
    principal_part: MoneyInput | None = None,
    fees_and_interest: MoneyInput = 0,
    rate: MoneyInput = Decimal("0.10"),
    floor: MoneyInput = Decimal("0"),
) -> Decimal:
    """Minimum payment due on a credit-card statement (CN convention).

    ``rate × statement principal + 100% of fees and interest``, where the
    statement principal is ``principal_part`` or, if not given,
    ``statement_balance − fees_and_interest``.  The result is at least
    ``floor`` but never more than ``statement_balance``, and ``0.00`` when the
    balance is zero or in credit.
    """
    balance = to_money(statement_balance)
    fees = to_money(fees_and_interest)
    rate = to_decimal(rate, "rate")
    floor = to_money(floor)
    if fees < 0:
        raise ValueError(f"fees_and_interest must not be negative, got {fees}")
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be in [0, 1], got {rate}")
    if floor < 0:
        raise ValueError(f"floor must not be negative, got {floor}")
    if balance <= 0:
        return ZERO
    if principal_part is None:
        statement_principal = max(balance - fees, ZERO)
    else:
        statement_principal = to_money(principal_part)
        if statement_principal < 0:
            raise ValueError(f"principal_part must not be negative, got {statement_principal}")
    minimum = _round(rate * statement_principal) + fees
    return min(max(minimum, floor), balance)


# --- internals -------------------------------------------------------------


def _validate_method(method: RepaymentMethod | str) -> RepaymentMethod:
    try:
        method = RepaymentMethod(method)
    except ValueError:
        raise ValueError(f"method must be one of {[m.value for m in RepaymentMethod]}, got {method!r}") from None
    if method is RepaymentMethod.REVOLVING:
        raise ValueError("method 'revolving' has no fixed schedule; use card_minimum_payment() instead")
    return method


def _round(value: Decimal) -> Decimal:
    """Round half-up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _row(number: int, start: date, principal: Decimal, interest: Decimal, remaining: Decimal) -> Instalment:
    return Instalment(
        number=number,
        due_date=add_months(start, number),
        principal=principal,
        interest=interest,
        total=principal + interest,
        remaining=remaining,
    )


def _equal_installment(principal: Decimal, monthly_rate: Decimal, months: int, start: date) -> list[Instalment]:
    """等额本息: a fixed monthly payment (the annuity), rounded to the fen.

    The payment is rounded half-up.  For tiny principals over long terms that
    rounded payment can repay the loan before the final month; the payment is
    then rounded down instead.  Only if that fails too (loans whose first
    principal parts are below about half a fen, e.g. ¥196.82 over 335 months at
    23.5%) are the principal parts capped at the remaining balance, which pays
    the loan off early and leaves the final instalment(s) at 0.00.
    """
    exact_payment = _annuity_payment(principal, monthly_rate, months)
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        rows = _amortise(principal, monthly_rate, months, start, exact_payment.quantize(FEN, rounding=rounding))
        if rows is not None:
            return rows
    rows = _amortise(principal, monthly_rate, months, start, _round(exact_payment), cap_at_remaining=True)
    assert rows is not None
    return rows


def _annuity_payment(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    """Exact (unrounded) annuity payment ``P·r·(1+r)^n / ((1+r)^n − 1)``."""
    if monthly_rate == 0:
        return principal / months
    with localcontext() as ctx:
        ctx.prec = 50
        growth = (1 + monthly_rate) ** months
        return principal * monthly_rate * growth / (growth - 1)


def _amortise(
    principal: Decimal,
    monthly_rate: Decimal,
    months: int,
    start: date,
    payment: Decimal,
    *,
    cap_at_remaining: bool = False,
) -> list[Instalment] | None:
    """Amortise with a fixed ``payment``; the last row clears what is left.

    Returns ``None`` when the payment does not fit: it would leave a negative
    principal part or pay off more than is owed before the last month (unless
    ``cap_at_remaining``, which caps the principal part at the balance).
    """
    rows: list[Instalment] = []
    remaining = principal
    for number in range(1, months + 1):
        interest = _round(remaining * monthly_rate)
        if number == months:
            principal_part = remaining
        else:
            principal_part = payment - interest
            if principal_part < 0:
                return None
            if principal_part >= remaining and principal_part > 0:
                if not cap_at_remaining:
                    return None
                principal_part = remaining
        remaining -= principal_part
        rows.append(_row(number, start, principal_part, interest, remaining))
    return rows


def _equal_principal(principal: Decimal, monthly_rate: Decimal, months: int, start: date) -> list[Instalment]:
    """等额本金: the same principal each month plus interest on the remaining balance.

    The monthly principal is ``principal / months`` rounded half-up, or rounded
    down when rounding up would over-repay before the final month.
    """
    monthly_principal = _round(principal / months)
    if monthly_principal * (months - 1) >= principal:
        monthly_principal = (principal / months).quantize(FEN, rounding=ROUND_DOWN)
    rows: list[Instalment] = []
    remaining = principal
    for number in range(1, months + 1):
        interest = _round(remaining * monthly_rate)
        principal_part = remaining if number == months else monthly_principal
        remaining -= principal_part
        rows.append(_row(number, start, principal_part, interest, remaining))
    return rows


def _interest_only(principal: Decimal, monthly_rate: Decimal, months: int, start: date) -> list[Instalment]:
    """先息后本: interest every month, all principal in the last month."""
    interest = _round(principal * monthly_rate)
    rows = [_row(number, start, ZERO, interest, principal) for number in range(1, months)]
    rows.append(_row(months, start, principal, interest, ZERO))
    return rows


def _bullet(principal: Decimal, annual_rate: Decimal, months: int, start: date) -> list[Instalment]:
    """一次性还本付息: one payment at maturity with simple interest for the whole term."""
    interest = _round(principal * annual_rate * months / 12)
    return [
        Instalment(
            number=1,
            due_date=add_months(start, months),
            principal=principal,
            interest=interest,
            total=principal + interest,
            remaining=ZERO,
        )
    ]
