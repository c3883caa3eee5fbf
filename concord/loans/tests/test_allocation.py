"""Tests for concord.loans.allocation (no Django needed)."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.core.money import from_fen
from concord.loans.allocation import (
    COMPONENTS,
    DEFAULT_WATERFALL,
    REGULATORY_WATERFALL,
    Allocation,
    allocate,
    validate_waterfall,
)

D = Decimal
BALANCES = {"fees": D("50.00"), "penalty": D("20.00"), "interest": D("100.00"), "principal": D("1000.00")}


def test_default_waterfall_pays_fees_penalty_interest_principal():
    result = allocate(D("300"), BALANCES)
    assert result.parts == {"fees": D("50.00"), "penalty": D("20.00"), "interest": D("100.00"), "principal": D("130.00")}
    assert list(result.parts) == list(DEFAULT_WATERFALL)
    assert result.remainder == D("0.00")
    assert result.total == D("300.00")


def test_regulatory_waterfall_pays_principal_first():
    result = allocate(D("1050"), BALANCES, REGULATORY_WATERFALL)
    assert result.parts == {"principal": D("1000.00"), "interest": D("50.00"), "penalty": D("0.00"), "fees": D("0.00")}


def test_overpayment_goes_to_remainder():
    result = allocate(D("1200.01"), BALANCES)
    assert result.parts == BALANCES
    assert result.remainder == D("30.01")
    assert result.total == D("1170.00")
    assert result.amount == D("1200.01")


def test_missing_components_count_as_zero():
    result = allocate(D("10"), {"principal": D("100")})
    assert result.parts == {"fees": 0, "penalty": 0, "interest": 0, "principal": D("10.00")}


def test_partial_payment_stops_inside_a_component():
    result = allocate(D("60"), BALANCES)
    assert result.parts == {"fees": D("50.00"), "penalty": D("10.00"), "interest": 0, "principal": 0}


@pytest.mark.parametrize("amount", [D("0"), D("-1")])
def test_amount_must_be_positive(amount):
    with pytest.raises(ValueError, match="amount"):
        allocate(amount, BALANCES)


def test_negative_balance_rejected():
    with pytest.raises(ValueError, match="interest"):
        allocate(D("10"), {**BALANCES, "interest": D("-1")})


def test_unknown_balance_rejected():
    with pytest.raises(ValueError, match="insurance"):
        allocate(D("10"), {**BALANCES, "insurance": D("5")})


def test_fractions_of_a_fen_and_floats_rejected():
    with pytest.raises(ValueError, match="fen"):
        allocate(D("10.001"), BALANCES)
    with pytest.raises(TypeError):
        allocate(10.0, BALANCES)


class TestValidateWaterfall:
    def test_permutation_returned_as_tuple(self):
        assert validate_waterfall(["principal", "fees", "interest", "penalty"]) == (
            "principal",
            "fees",
            "interest",
            "penalty",
        )
        assert validate_waterfall(DEFAULT_WATERFALL) == COMPONENTS

    def test_unknown_name(self):
        with pytest.raises(ValueError, match="'tax'"):
            validate_waterfall(["fees", "penalty", "interest", "tax"])

    def test_duplicate_name(self):
        with pytest.raises(ValueError, match="'fees'"):
            validate_waterfall(["fees", "fees", "interest", "principal"])

    def test_missing_name(self):
        with pytest.raises(ValueError, match="principal"):
            validate_waterfall(["fees", "penalty", "interest"])

    def test_plain_string_rejected(self):
        with pytest.raises(ValueError):
            validate_waterfall("fees")

    def test_allocate_validates_waterfall(self):
        with pytest.raises(ValueError, match="'tax'"):
            allocate(D("10"), BALANCES, ("tax", "penalty", "interest", "principal"))


fen_amounts = st.integers(min_value=0, max_value=10**9).map(from_fen)


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=10**9).map(from_fen),
    balances=st.fixed_dictionaries({name: fen_amounts for name in COMPONENTS}),
    waterfall=st.permutations(COMPONENTS),
)
def test_allocation_never_creates_or_loses_a_fen(amount, balances, waterfall):
    result = allocate(amount, balances, waterfall)
    assert isinstance(result, Allocation)
    assert sum(result.parts.values()) + result.remainder == amount
    assert result.total + result.remainder == amount
    assert result.remainder >= 0
    for name in COMPONENTS:
        assert 0 <= result.parts[name] <= balances[name]
    # A later component is only paid once every earlier one is cleared.
    for earlier, later in zip(waterfall, waterfall[1:]):
        if result.parts[later] > 0:
            assert result.parts[earlier] == balances[earlier]
    # The remainder is only non-zero once everything is paid off.
    if result.remainder > 0:
        assert result.parts == balances
