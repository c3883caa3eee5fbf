"""Money helpers (concord.core.money): Decimal yuan, half-up to the fen, never floats."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.core.money import FEN, from_fen, parse_amount, to_decimal, to_fen, to_money

D = Decimal


class TestToDecimal:
    @pytest.mark.parametrize("value, expected", [(D("1.005"), D("1.005")), (7, D(7)), (" 12.5 ", D("12.5")),
                                                 ("1e3", D(1000)), ("-3", D(-3))])
    def test_accepts_decimal_int_and_numeric_text_without_rounding(self, value, expected):
        assert to_decimal(value) == expected

    @pytest.mark.parametrize("value", [1.5, True, None, [1]])
    def test_refuses_floats_bools_and_other_types_naming_the_argument(self, value):
        with pytest.raises(TypeError, match="amount"):
            to_decimal(value, "amount")

    @pytest.mark.parametrize("value", ["abc", "", "1,000", "NaN", "Infinity", D("NaN"), D("-Infinity")])
    def test_refuses_text_that_is_not_a_finite_number(self, value):
        with pytest.raises(ValueError, match="rate"):
            to_decimal(value, "rate")


class TestToMoney:
    @pytest.mark.parametrize("value, expected", [
        (D("1.005"), "1.01"), (D("1.004"), "1.00"), (D("2.675"), "2.68"), ("2.344", "2.34"),
        (D("-1.005"), "-1.01"), (7, "7.00"), ("0.5", "0.50"), (D("-0.001"), "0.00"), (D("-0.00"), "0.00"),
    ])
    def test_half_up_to_the_fen(self, value, expected):
        result = to_money(value)
        assert str(result) == expected
        assert result.as_tuple().exponent == -2

    def test_float_refused(self):
        with pytest.raises(TypeError):
            to_money(0.1)


class TestFen:
    def test_known_values(self):
        assert FEN == D("0.01")
        assert to_fen(D("5307.27")) == 530727
        assert to_fen("0.015") == 2
        assert to_fen(0) == 0
        assert from_fen(530727) == D("5307.27")
        assert str(from_fen(5)) == "0.05"
        assert from_fen(-150) == D("-1.50")

    @pytest.mark.parametrize("value", [1.0, True, "5", D(5)])
    def test_from_fen_needs_an_int(self, value):
        with pytest.raises(TypeError):
            from_fen(value)

    @settings(max_examples=60, deadline=None)
    @given(st.integers(min_value=-10**15, max_value=10**15))
    def test_fen_round_trip(self, fen):
        assert to_fen(from_fen(fen)) == fen
        assert to_money(from_fen(fen)) == from_fen(fen)

    @settings(max_examples=60, deadline=None)
    @given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=4))
    def test_to_money_is_within_half_a_fen(self, value):
        assert abs(to_money(value) - value) <= D("0.005")


class TestParseAmount:
    @pytest.mark.parametrize("text, expected", [
        ("1234.5", "1234.50"), ("1,234.50", "1234.50"), ("1，234.50", "1234.50"), ("¥1,234.50", "1234.50"),
        ("￥ 1,234.50", "1234.50"), ("RMB 88", "88.00"), ("CNY88", "88.00"), ("人民币100元", "100.00"),
        ("1234.5元", "1234.50"), ("1.2万", "12000.00"), ("1.2万元", "12000.00"), ("3亿", "300000000.00"),
        ("  88  ", "88.00"), ("0", "0.00"), (".5", "0.50"), ("0.005", "0.01"), ("12,345,678.9", "12345678.90"),
    ])
    def test_understands_what_people_type(self, text, expected):
        result = parse_amount(text)
        assert result == D(expected) and str(result) == expected

    @pytest.mark.parametrize("text", ["", "abc", "12a", "1,23", "1.2.3", "万", "¥", "NaN", "Infinity", "1e3",
                                      "12,34.5"])
    def test_rejects_non_numeric_quoting_the_input(self, text):
        with pytest.raises(ValueError, match="not a valid amount") as exc:
            parse_amount(text)
        assert repr(text) in str(exc.value)

    @pytest.mark.parametrize("text", ["-5", "¥-5", "-1.2万", "−5"])
    def test_rejects_negative(self, text):
        with pytest.raises(ValueError, match="negative"):
            parse_amount(text)

    @pytest.mark.parametrize("value", [12.5, 12, D("12"), None])
    def test_needs_text(self, value):
        with pytest.raises(TypeError):
            parse_amount(value)
