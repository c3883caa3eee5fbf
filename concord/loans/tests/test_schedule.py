"""Tests for concord.loans.schedule and the money helpers it relies on (no Django needed)."""
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.core.money import FEN, from_fen, parse_amount, to_fen, to_money
from concord.loans.schedule import (
    Instalment,
    RepaymentMethod,
    add_months,
    build_schedule,
    card_minimum_payment,
)

D = Decimal
START = date(2024, 1, 15)
SCHEDULED_METHODS = [
    RepaymentMethod.EQUAL_INSTALLMENT,
    RepaymentMethod.EQUAL_PRINCIPAL,
    RepaymentMethod.INTEREST_ONLY,
    RepaymentMethod.BULLET,
]


# --- money helpers ------------------------------------------------------------


class TestMoney:
    def test_to_money_rounds_half_up_to_the_fen(self):
        assert to_money(D("1.005")) == D("1.01")
        assert to_money("2.344") == D("2.34")
        assert to_money(7) == D("7.00")
        assert str(to_money(D("-0.001"))) == "0.00"

    def test_to_money_refuses_float(self):
        with pytest.raises(TypeError):
            to_money(1.1)

    def test_to_money_refuses_garbage_text(self):
        with pytest.raises(ValueError):
            to_money("abc")

    def test_fen_round_trip(self):
        assert FEN == D("0.01")
        assert to_fen(D("5307.27")) == 530727
        assert to_fen("0.015") == 2
        assert from_fen(530727) == D("5307.27")
        assert str(from_fen(5)) == "0.05"

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("1234.5", "1234.50"),
            ("1,234.50", "1234.50"),
            ("¥1,234.50", "1234.50"),
            ("￥ 1,234.50", "1234.50"),
            ("1234.5元", "1234.50"),
            ("1.2万", "12000.00"),
            ("1.2万元", "12000.00"),
            ("  88  ", "88.00"),
            ("0", "0.00"),
        ],
    )
    def test_parse_amount(self, text, expected):
        assert parse_amount(text) == D(expected)

    @pytest.mark.parametrize("text", ["", "abc", "12a", "1,23", "1.2.3", "万", "¥", "NaN", "Infinity"])
    def test_parse_amount_rejects_non_numeric(self, text):
        with pytest.raises(ValueError, match="not a valid amount"):
            parse_amount(text)

    @pytest.mark.parametrize("text", ["-5", "¥-5", "-1.2万"])
    def test_parse_amount_rejects_negative(self, text):
        with pytest.raises(ValueError, match="negative"):
            parse_amount(text)


# --- add_months ---------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), 360, date(2054, 1, 15)),
    ],
)
def test_add_months(start, n, expected):
    assert add_months(start, n) == expected


# --- known values -------------------------------------------------------------


def test_equal_installment_known_mortgage():
    rows = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("1000000"), D("0.049"), 360, START)
    assert len(rows) == 360
    assert all(row.total == D("5307.27") for row in rows[:359])
    assert rows[0].interest == D("4083.33")
    assert rows[0].principal == D("1223.94")
    assert sum(row.principal for row in rows) == D("1000000.00")
    assert rows[-1].remaining == D("0.00")


def test_equal_principal_known_mortgage():
    rows = build_schedule(RepaymentMethod.EQUAL_PRINCIPAL, D("1000000"), D("0.049"), 360, START)
    first = rows[0]
    assert (first.principal, first.interest, first.total) == (D("2777.78"), D("4083.33"), D("6861.11"))
    assert all(row.principal == D("2777.78") for row in rows[:359])
    assert rows[-1].principal == D("1000000.00") - D("2777.78") * 359
    assert rows[-1].remaining == D("0.00")
    assert [row.total for row in rows] == sorted((row.total for row in rows), reverse=True)


def test_interest_only():
    rows = build_schedule(RepaymentMethod.INTEREST_ONLY, D("120000"), D("0.06"), 12, START)
    assert len(rows) == 12
    assert all(row.interest == D("600.00") and row.principal == 0 for row in rows[:11])
    assert all(row.remaining == D("120000.00") for row in rows[:11])
    assert (rows[-1].principal, rows[-1].interest, rows[-1].total) == (D("120000.00"), D("600.00"), D("120600.00"))
    assert rows[-1].remaining == 0


def test_bullet():
    rows = build_schedule(RepaymentMethod.BULLET, D("10000"), D("0.12"), 6, date(2024, 8, 31))
    assert rows == [
        Instalment(
            number=1,
            due_date=date(2025, 2, 28),
            principal=D("10000.00"),
            interest=D("600.00"),
            total=D("10600.00"),
            remaining=D("0.00"),
        )
    ]


def test_zero_rate_equal_installment_is_principal_over_months():
    rows = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("1200"), D("0"), 12, START)
    assert all(row.total == D("100.00") and row.interest == 0 for row in rows)


def test_zero_rate_uneven_split_puts_rounding_in_last_row():
    rows = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("100"), D("0"), 3, START)
    assert [row.principal for row in rows] == [D("33.33"), D("33.33"), D("33.34")]


def test_tiny_principal_long_term_never_overpays_early():
    # 100/360 = 0.2777… rounds up to 0.28, and 359 × 0.28 > 100: rounding falls back to 0.27.
    for method in (RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL):
        rows = build_schedule(method, D("100"), D("0"), 360, START)
        assert all(row.principal == D("0.27") for row in rows[:359])
        assert rows[-1].principal == D("3.07")


def test_pathological_equal_installment_pays_off_early_rather_than_overpaying():
    # The exact principal part starts at ~0.004 a month, so fen rounding drifts far ahead of
    # the exact schedule; principal is capped at the balance and the last rows are 0.00.
    rows = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("196.82"), D("0.235"), 335, START)
    assert len(rows) == 335
    assert sum(row.principal for row in rows) == D("196.82")
    assert all(row.remaining >= 0 for row in rows)
    assert all(row.total == D("3.86") for row in rows[:332])
    assert [row.total for row in rows[-2:]] == [D("0.00"), D("0.00")]


@pytest.mark.parametrize("method", SCHEDULED_METHODS)
def test_single_month(method):
    rows = build_schedule(method, D("1000"), D("0.12"), 1, START)
    assert len(rows) == 1
    assert rows[0].principal == D("1000.00")
    assert rows[0].interest == D("10.00")
    assert rows[0].due_date == date(2024, 2, 15)
    assert rows[0].remaining == 0


def test_month_end_start_dates_clamp():
    rows = build_schedule(RepaymentMethod.EQUAL_PRINCIPAL, D("3000"), D("0.1"), 3, date(2024, 1, 31))
    assert [row.due_date for row in rows] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


def test_method_accepts_string_value():
    by_value = build_schedule("equal_installment", D("5000"), D("0.1"), 6, START)
    by_enum = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("5000"), D("0.1"), 6, START)
    assert by_value == by_enum


def test_as_dict_is_json_friendly():
    row = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("1000000"), D("0.049"), 360, START)[0]
    assert row.as_dict() == {
        "number": 1,
        "due_date": "2024-02-15",
        "principal": "1223.94",
        "interest": "4083.33",
        "total": "5307.27",
        "remaining": "998776.06",
    }


# --- validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"principal": D("0")}, "principal"),
        ({"principal": D("-1")}, "principal"),
        ({"annual_rate": D("-0.01")}, "annual_rate"),
        ({"annual_rate": D("1")}, "annual_rate"),
        ({"months": 0}, "months"),
        ({"months": 601}, "months"),
        ({"method": "weekly"}, "method"),
        ({"method": RepaymentMethod.REVOLVING}, "revolving"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_them(kwargs, argument):
    args = {"method": RepaymentMethod.EQUAL_INSTALLMENT, "principal": D("1000"), "annual_rate": D("0.1"), "months": 12}
    args.update(kwargs)
    with pytest.raises(ValueError, match=argument):
        build_schedule(args["method"], args["principal"], args["annual_rate"], args["months"], START)


def test_float_principal_is_refused():
    with pytest.raises(TypeError):
        build_schedule(RepaymentMethod.BULLET, 1000.0, D("0.1"), 12, START)


def test_600_months_is_allowed():
    rows = build_schedule(RepaymentMethod.EQUAL_INSTALLMENT, D("500000"), D("0.03"), 600, START)
    assert len(rows) == 600 and rows[-1].remaining == 0


# --- properties ---------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(SCHEDULED_METHODS),
    principal_fen=st.integers(min_value=10_000, max_value=500_000_000),
    rate_bp=st.integers(min_value=0, max_value=3600),
    months=st.integers(min_value=1, max_value=360),
)
def test_every_schedule_repays_exactly_the_principal(method, principal_fen, rate_bp, months):
    principal = from_fen(principal_fen)
    rows = build_schedule(method, principal, D(rate_bp) / 10_000, months, START)
    assert sum(row.principal for row in rows) == principal
    assert rows[-1].remaining == D("0.00")
    for row in rows:
        assert row.remaining >= 0
        assert row.principal >= 0 and row.interest >= 0
        assert row.total == row.principal + row.interest
        for amount in (row.principal, row.interest, row.total, row.remaining):
            assert amount == amount.quantize(FEN)
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))
    assert rows[-1].due_date == add_months(START, months)
    expected_rows = 1 if method is RepaymentMethod.BULLET else months
    assert len(rows) == expected_rows


# --- card minimum payment -----------------------------------------------------


class TestCardMinimumPayment:
    def test_ten_percent_of_principal_plus_all_fees_and_interest(self):
        assert card_minimum_payment(D("10000"), fees_and_interest=D("150")) == D("1135.00")

    def test_explicit_principal_part(self):
        assert card_minimum_payment(D("10000"), principal_part=D("5000"), fees_and_interest=D("150")) == D("650.00")

    def test_no_fees(self):
        assert card_minimum_payment(D("3456.78")) == D("345.68")

    def test_custom_rate(self):
        assert card_minimum_payment(D("10000"), rate=D("0.05")) == D("500.00")

    def test_floor_applies(self):
        assert card_minimum_payment(D("500"), floor=D("100")) == D("100.00")

    def test_never_more_than_balance(self):
        assert card_minimum_payment(D("50"), floor=D("100")) == D("50.00")
        assert card_minimum_payment(D("100"), principal_part=D("100"), fees_and_interest=D("100")) == D("100.00")

    @pytest.mark.parametrize("balance", [D("0"), D("-25.00")])
    def test_zero_when_nothing_owed(self, balance):
        assert card_minimum_payment(balance, floor=D("100")) == D("0.00")

    def test_invalid_inputs(self):
        with pytest.raises(ValueError, match="rate"):
            card_minimum_payment(D("100"), rate=D("1.5"))
        with pytest.raises(ValueError, match="fees_and_interest"):
            card_minimum_payment(D("100"), fees_and_interest=D("-1"))
        with pytest.raises(TypeError):
            card_minimum_payment(100.0)
