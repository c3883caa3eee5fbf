"""Tests for concord.loans.delinquency (no Django needed)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.loans.delinquency import (
    BUCKETS,
    DueItem,
    PenaltyRule,
    apply_cost_cap,
    bucket,
    days_past_due,
    fees_accrued,
    penalty_accrued,
)

D = Decimal
AS_OF = date(2024, 6, 30)


def item(due: date, principal="1000.00", interest="100.00", principal_paid="0", interest_paid="0") -> DueItem:
    return DueItem(due, D(principal), D(interest), D(principal_paid), D(interest_paid))


# --- DueItem ------------------------------------------------------------------


class TestDueItem:
    def test_unpaid_amounts(self):
        due = item(AS_OF, principal_paid="400", interest_paid="100")
        assert due.principal_unpaid == D("600.00")
        assert due.interest_unpaid == D("0.00")
        assert not due.is_settled

    def test_defaults_are_unpaid(self):
        due = DueItem(AS_OF, D("10"), D("1"))
        assert due.principal_unpaid == D("10") and due.interest_unpaid == D("1")

    def test_settled_and_overpaid(self):
        assert item(AS_OF, principal_paid="1000", interest_paid="100").is_settled
        overpaid = item(AS_OF, principal_paid="1200", interest_paid="100")
        assert overpaid.is_settled and overpaid.principal_unpaid == 0

    def test_negative_amount_rejected(self):
        with pytest.raises(ValueError, match="principal_due"):
            DueItem(AS_OF, D("-1"), D("0"))


# --- days past due --------------------------------------------------------------


def test_dpd_counts_from_oldest_unsettled_instalment():
    items = [
        item(date(2024, 3, 31), principal_paid="1000", interest_paid="100"),  # settled
        item(date(2024, 4, 30), principal_paid="500"),  # partly paid: still overdue
        item(date(2024, 5, 31)),
        item(date(2024, 7, 31)),  # not yet due
    ]
    assert days_past_due(items, AS_OF) == (AS_OF - date(2024, 4, 30)).days == 61


def test_dpd_ignores_instalment_due_today_and_future():
    assert days_past_due([item(AS_OF), item(AS_OF + timedelta(days=5))], AS_OF) == 0


def test_dpd_order_of_items_does_not_matter():
    items = [item(date(2024, 5, 31)), item(date(2024, 4, 30))]
    assert days_past_due(items, AS_OF) == days_past_due(list(reversed(items)), AS_OF) == 61


def test_dpd_empty():
    assert days_past_due([], AS_OF) == 0


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=-400, max_value=400), max_size=12),
    amounts=st.lists(st.integers(min_value=0, max_value=10**8), min_size=2, max_size=2),
)
def test_dpd_is_zero_when_everything_is_settled(offsets, amounts):
    principal, interest = (D(a) / 100 for a in amounts)
    items = [DueItem(AS_OF + timedelta(days=o), principal, interest, principal, interest) for o in offsets]
    assert days_past_due(items, AS_OF) == 0


# --- buckets ------------------------------------------------------------------


@pytest.mark.parametrize(
    "dpd, expected",
    [
        (0, "M0"),
        (1, "M1"),
        (30, "M1"),
        (31, "M2"),
        (60, "M2"),
        (61, "M3"),
        (90, "M3"),
        (91, "M4"),
        (120, "M4"),
        (121, "M5"),
        (150, "M5"),
        (151, "M6"),
        (180, "M6"),
        (181, "M7+"),
        (10_000, "M7+"),
    ],
)
def test_bucket_boundaries(dpd, expected):
    assert bucket(dpd) == expected


def test_buckets_constant():
    assert BUCKETS == ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")


def test_negative_dpd_rejected():
    with pytest.raises(ValueError, match="dpd"):
        bucket(-1)


# --- penalty and fees ---------------------------------------------------------


def test_penalty_on_unpaid_principal_only_by_default():
    items = [item(AS_OF - timedelta(days=10))]
    rule = PenaltyRule(daily_rate=D("0.0005"))
    assert penalty_accrued(items, AS_OF, rule) == D("5.00")  # 1000 × 0.0005 × 10


def test_penalty_compounds_on_interest_when_asked():
    items = [item(AS_OF - timedelta(days=10))]
    rule = PenaltyRule(daily_rate=D("0.0005"), compound_on_interest=True)
    assert penalty_accrued(items, AS_OF, rule) == D("5.50")  # 1100 × 0.0005 × 10


def test_penalty_uses_unpaid_balances_and_rounds_per_instalment():
    items = [
        item(AS_OF - timedelta(days=5), principal="10.00", principal_paid="8.00"),  # 2 × 0.0005 × 5 = 0.005 -> 0.01
        item(AS_OF - timedelta(days=5), principal="2.00"),  # 0.005 -> 0.01 (summed first it would be 0.01)
        item(AS_OF - timedelta(days=40), principal_paid="1000", interest_paid="100"),  # settled
        item(AS_OF + timedelta(days=1)),  # not due
    ]
    rule = PenaltyRule(daily_rate=D("0.0005"))
    assert penalty_accrued(items, AS_OF, rule) == D("0.02")


def test_grace_days_suppress_penalty_and_fee_but_count_from_due_date():
    rule = PenaltyRule(daily_rate=D("0.001"), grace_days=3, late_fee=D("50"))
    within = [item(AS_OF - timedelta(days=3))]
    beyond = [item(AS_OF - timedelta(days=4))]
    assert penalty_accrued(within, AS_OF, rule) == D("0.00")
    assert fees_accrued(within, AS_OF, rule) == D("0.00")
    assert penalty_accrued(beyond, AS_OF, rule) == D("4.00")  # all 4 days, not 1
    assert fees_accrued(beyond, AS_OF, rule) == D("50.00")


def test_fees_per_overdue_instalment():
    items = [item(date(2024, 4, 30)), item(date(2024, 5, 31)), item(date(2024, 6, 30)), item(date(2024, 7, 31))]
    assert fees_accrued(items, AS_OF, PenaltyRule(daily_rate=D("0"), late_fee=D("30"))) == D("60.00")


def test_penalty_rule_validation():
    with pytest.raises(ValueError, match="daily_rate"):
        PenaltyRule(daily_rate=D("-0.1"))
    with pytest.raises(ValueError, match="grace_days"):
        PenaltyRule(daily_rate=D("0.1"), grace_days=-1)
    with pytest.raises(TypeError):
        PenaltyRule(daily_rate=0.0005)


# --- cost cap -----------------------------------------------------------------


def cap(**overrides):
    args = dict(
        contract_principal=D("10000"),
        interest_charged=D("1000"),
        penalty=D("800"),
        fees=D("500"),
        start=date(2023, 1, 1),
        as_of=date(2024, 1, 1),  # 365 days -> cap = 10000 × 0.24 = 2400
        cap_rate=D("0.24"),
    )
    args.update(overrides)
    return apply_cost_cap(**args)


def test_cost_cap_not_reached_leaves_charges_unchanged():
    assert cap() == (D("800.00"), D("500.00"))


def test_cost_cap_reduces_penalty_first():
    assert cap(interest_charged=D("1500")) == (D("400.00"), D("500.00"))


def test_cost_cap_then_reduces_fees():
    assert cap(interest_charged=D("2000")) == (D("0.00"), D("400.00"))


def test_cost_cap_never_negative_even_if_interest_alone_exceeds_it():
    assert cap(interest_charged=D("3000")) == (D("0.00"), D("0.00"))


def test_cost_cap_prorates_by_days():
    # 73 days: 10000 × 0.24 × 73 / 365 = 480
    assert cap(as_of=date(2023, 3, 15), interest_charged=D("200"), penalty=D("200"), fees=D("200")) == (
        D("80.00"),
        D("200.00"),
    )


def test_cost_cap_none_is_unchanged():
    assert cap(interest_charged=D("99999"), cap_rate=None) == (D("800.00"), D("500.00"))


def test_cost_cap_rejects_as_of_before_start():
    with pytest.raises(ValueError, match="start"):
        cap(as_of=date(2022, 12, 31))
