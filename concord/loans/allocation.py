"""Payment allocation: split a repayment over fees, penalty, interest and principal.

A waterfall is the order in which components are paid; each component is paid
up to its balance before the next one gets anything.  Whatever is left after
every balance is cleared is returned as ``remainder`` (an overpayment).

Pure Python, no Django imports.  Amounts are exact ``Decimal`` values in whole
fen; allocation never rounds, so it can neither create nor lose a fen.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from concord.core.money import FEN, MoneyInput, to_decimal

COMPONENTS = ("fees", "penalty", "interest", "principal")
"""Every component a debt balance is made of."""

DEFAULT_WATERFALL = ("fees", "penalty", "interest", "principal")
"""Common CN contract order: 费用 → 罚息 → 利息 → 本金."""

REGULATORY_WATERFALL = ("principal", "interest", "penalty", "fees")
"""Debtor-friendly order: principal first, fees last."""

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Allocation:
    """Result of :func:`allocate`.

    ``parts`` maps every component (in waterfall order) to the amount applied to
    it; ``remainder`` is the part of the payment no balance absorbed.
    """

    parts: dict[str, Decimal]
    remainder: Decimal

    @property
    def total(self) -> Decimal:
        """Amount applied to balances (excludes the remainder)."""
        return sum(self.parts.values(), ZERO)

    @property
    def amount(self) -> Decimal:
        """The whole payment: ``total + remainder``."""
        return self.total + self.remainder


def validate_waterfall(seq: Sequence[str]) -> tuple[str, ...]:
    """Return ``seq`` as a tuple if it names every component of :data:`COMPONENTS` exactly once.

    Raises ``ValueError`` naming the unknown, repeated or missing component.
    """
    if isinstance(seq, str):
        raise ValueError(f"waterfall must be a sequence of component names, not the string {seq!r}")
    waterfall = tuple(seq)
    seen: set[str] = set()
    for name in waterfall:
        if name not in COMPONENTS:
            raise ValueError(f"unknown waterfall component {name!r}; expected one of {COMPONENTS}")
        if name in seen:
            raise ValueError(f"waterfall component {name!r} appears more than once")
        seen.add(name)
    missing = [name for name in COMPONENTS if name not in seen]
    if missing:
        raise ValueError(f"waterfall is missing component(s) {missing}")
    return waterfall


def allocate(
    amount: MoneyInput,
    balances: Mapping[str, MoneyInput],
    waterfall: Sequence[str] = DEFAULT_WATERFALL,
) -> Allocation:
    """Split ``amount`` over ``balances`` in ``waterfall`` order.

    Components missing from ``balances`` count as zero.  Raises ``ValueError``
    when ``amount`` is not positive, a balance is negative or names an unknown
    component, an amount has fractions of a fen, or the waterfall is not a
    permutation of :data:`COMPONENTS`.  Invariant:
    ``sum(parts) + remainder == amount`` exactly.
    """
    order = validate_waterfall(waterfall)
    left = _whole_fen(amount, "amount")
    if left <= 0:
        raise ValueError(f"amount must be greater than 0, got {left}")
    for name in balances:
        if name not in COMPONENTS:
            raise ValueError(f"unknown balance component {name!r}; expected one of {COMPONENTS}")
    parts: dict[str, Decimal] = {}
    for name in order:
        balance = _whole_fen(balances.get(name, ZERO), f"balance {name!r}")
        if balance < 0:
            raise ValueError(f"balance {name!r} must not be negative, got {balance}")
        paid = min(left, balance)
        parts[name] = paid
        left -= paid
    return Allocation(parts=parts, remainder=left)


def _whole_fen(value: MoneyInput, name: str) -> Decimal:
    """Convert to ``Decimal``, refusing floats and fractions of a fen."""
    result = to_decimal(value, name)
    if result != result.quantize(FEN):
        raise ValueError(f"{name} must be a whole number of fen, got {result}")
    return result.quantize(FEN)
