"""Cell value parsers (concord.imports.values): each accepted format, and the bad ones with their codes."""
import datetime as dt
from decimal import Decimal

import pytest

from concord.conftest import resident_id
from concord.imports import values as v
from concord.imports.values import ValueProblem

TODAY = dt.date(2026, 6, 1)
D = Decimal


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(ValueProblem) as info:
        fn(*args, **kwargs)
    assert str(info.value)  # every problem has a readable reason
    return info.value.code


class TestText:
    @pytest.mark.parametrize("value, expected", [
        ("  张三 ", "张三"), ("ＡＢＣ１２３", "ABC123"), (None, ""), (12.0, "12"), (12, "12"), (1.5, "1.5"),
        (dt.date(2026, 1, 5), "2026-01-05"), ("=HYPERLINK(\"http://x\",\"x\")", "=HYPERLINK(\"http://x\",\"x\")"),
        ("@SUM(A1)", "@SUM(A1)"), ("+1+2", "+1+2"),
    ])
    def test_clean_text(self, value, expected):
        assert v.clean_text(value) == expected

    @pytest.mark.parametrize("value", [None, "", "  ", "-", "N/A", "——", "/"])
    def test_blank_markers(self, value):
        assert v.is_blank(value)

    @pytest.mark.parametrize("value", [0, "0", "张三", 0.0])
    def test_not_blank(self, value):
        assert not v.is_blank(value)

    def test_reference_that_lost_digits_as_number_or_scientific_text(self):
        assert v.parse_reference(123456) == "123456"
        assert v.parse_reference(" L-2026-0001 ") == "L-2026-0001"
        assert code_of(v.parse_reference, 6222021234567890123) == "reference_lost_digits"
        assert code_of(v.parse_reference, 6.22202123456789e18) == "reference_lost_digits"
        assert code_of(v.parse_reference, "6.22202E+18") == "reference_lost_digits"


class TestMoney:
    @pytest.mark.parametrize("value, expected", [
        ("¥1,234.50", D("1234.50")), ("￥1,234.50", D("1234.50")), ("1234.5元", D("1234.50")),
        ("1.2万", D("12000.00")), ("１２３４．５", D("1234.50")), (1234.5, D("1234.50")), (100, D("100.00")),
        (D("0.005"), D("0.01")), ("0", D("0.00")), (" 1 234.56 ", D("1234.56")),
    ])
    def test_accepted(self, value, expected):
        assert v.parse_money(value) == expected

    @pytest.mark.parametrize("value, code", [
        ("-5", "amount_negative"), (-5, "amount_negative"), (-0.01, "amount_negative"), ("−3元", "amount_negative"),
        ("abc", "amount_format"), ("1.2.3", "amount_format"), ("", "required"), (None, "required"),
        ("2亿", "amount_range"), (1e12, "amount_range"), (float("nan"), "number_format"),
    ])
    def test_refused(self, value, code):
        assert code_of(v.parse_money, value) == code


class TestDate:
    @pytest.mark.parametrize("value", [
        "2026/1/5", "2026-01-05", "2026.1.5", "2026年1月5日", "2026年01月05日", "20260105", 20260105,
        46027, 46027.75, "46027", dt.datetime(2026, 1, 5, 13, 30), dt.date(2026, 1, 5), "2026-01-05 00:00:00",
        "２０２６－０１－０５",
    ])
    def test_every_format_gives_the_same_day(self, value):
        assert v.parse_date(value, today=TODAY) == dt.date(2026, 1, 5)

    @pytest.mark.parametrize("value, code", [
        ("2026/2/30", "date_nonexistent"), ("20260230", "date_nonexistent"), (20261301, "date_nonexistent"),
        ("1989-12-31", "date_range"), ("2027-06-02", "date_range"), (100, "date_range"),
        ("1/5/2026", "date_format"), ("明天", "date_format"), (123456789, "date_format"), ("", "required"),
    ])
    def test_refused(self, value, code):
        assert code_of(v.parse_date, value, today=TODAY) == code

    def test_bounds_are_inclusive(self):
        assert v.parse_date("1990-01-01", today=TODAY) == dt.date(1990, 1, 1)
        assert v.parse_date("2027-06-01", today=TODAY) == dt.date(2027, 6, 1)
        assert v.parse_date("2025-02-28", today=dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


class TestRate:
    @pytest.mark.parametrize("value", ["16.5%", "16.5 %", "１６．５％", "0.165", 0.165, D("0.165")])
    def test_accepted(self, value):
        assert v.parse_rate(value) == D("0.165")

    def test_zero_and_whole(self):
        assert v.parse_rate("0%") == 0
        assert v.parse_rate("100%") == 1

    @pytest.mark.parametrize("value, code", [
        ("16.5", "rate_range"), (16.5, "rate_range"), ("-1%", "rate_range"), ("abc", "rate_format"),
        ("%", "rate_format"), ("", "required"),
    ])
    def test_refused(self, value, code):
        assert code_of(v.parse_rate, value) == code


class TestInteger:
    @pytest.mark.parametrize("value, expected", [("12", 12), (12, 12), (12.0, 12), ("12期", 12), ("12个月", 12),
                                                 ("30天", 30), ("０", 0), ("12.0", 12)])
    def test_accepted(self, value, expected):
        assert v.parse_int(value) == expected

    @pytest.mark.parametrize("value, code", [("12.5", "integer_format"), (1.5, "integer_format"),
                                             ("twelve", "integer_format"), ("-3", "integer_range"),
                                             (-3, "integer_range"), ("", "required")])
    def test_refused(self, value, code):
        assert code_of(v.parse_int, value) == code

    def test_maximum(self):
        assert code_of(v.parse_int, 601, minimum=1, maximum=600) == "integer_range"


class TestEnums:
    @pytest.mark.parametrize("value, expected", [
        ("信用卡", "credit_card"), ("网贷", "online_loan"), ("Credit Card", "credit_card"),
        ("online loan", "online_loan"), ("credit_card", "credit_card"), ("ONLINE_LOAN", "online_loan"),
        (" 信用卡 ", "credit_card"),
    ])
    def test_product(self, value, expected):
        assert v.parse_product(value) == expected

    def test_unknown_product(self):
        assert code_of(v.parse_product, "房贷") == "unknown_product"

    @pytest.mark.parametrize("value, expected", [
        ("等额本息", "equal_installment"), ("等额本金", "equal_principal"), ("先息后本", "interest_only"),
        ("一次性还本付息", "bullet"), ("Equal Installment", "equal_installment"),
        ("equal_principal", "equal_principal"), ("Interest-Only", "interest_only"), ("Bullet", "bullet"),
        ("revolving", "revolving"), ("信用卡循环", "revolving"),
    ])
    def test_repayment_method(self, value, expected):
        assert v.parse_repayment_method(value) == expected

    def test_unknown_repayment_method(self):
        assert code_of(v.parse_repayment_method, "随便还") == "unknown_repayment_method"


class TestPhone:
    @pytest.mark.parametrize("value", ["13812348000", "+86 138 1234 8000", "138-1234-8000", "+8613812348000",
                                       13812348000, 13812348000.0, "１３８１２３４８０００"])
    def test_accepted(self, value):
        assert v.parse_phone(value) == "+8613812348000"

    @pytest.mark.parametrize("value", ["12345", "abc"])
    def test_refused_with_phone_code(self, value):
        assert code_of(v.parse_phone, value).startswith("phone_")


class TestNationalId:
    def test_valid_18(self):
        number = resident_id("110105", "19900101", 123)
        assert v.parse_national_id(number, today=TODAY).number == number

    def test_15_digit_converted_also_from_a_number_cell(self):
        fifteen = "110105900101123"
        eighteen = v.parse_national_id(fifteen, today=TODAY).number
        assert len(eighteen) == 18 and eighteen.startswith("11010519900101123")
        assert v.parse_national_id(110105900101123, today=TODAY).number == eighteen

    def test_region_that_once_existed_is_accepted(self):
        # 110102 北京市西城区 exists; 110103 北京市崇文区 was merged into 东城区 in 2010 but stays valid.
        assert v.parse_national_id(resident_id("110103", "19950101", 7), today=TODAY).region

    @pytest.mark.parametrize("value", [110105199001011232, 1.10105199001011e17, "1.10105E+17", "1.10105e17"])
    def test_18_digit_id_that_arrived_as_a_number_lost_digits(self, value):
        assert code_of(v.parse_national_id, value, today=TODAY) == "id_lost_digits"

    @pytest.mark.parametrize("value, code", [
        ("110105199001011231", "id_checksum"), ("12345", "id_length"), ("", "required"),
    ])
    def test_refused(self, value, code):
        assert code_of(v.parse_national_id, value, today=TODAY) == code


def test_messages_render_in_english_and_chinese():
    from django.utils import translation

    with pytest.raises(ValueProblem) as info:
        v.parse_money("-5")
    with translation.override("zh-hans"):
        assert "负数" in str(info.value.message)
    with translation.override("en"):
        assert str(info.value.message)  # English comes from the catalogue once translated
