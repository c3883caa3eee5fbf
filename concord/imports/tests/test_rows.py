"""Placement rows (concord.imports.rows): typed records, per-field errors, warnings, whole files."""
import datetime as dt
from decimal import Decimal

import pytest

from concord.conftest import resident_id
from concord.imports.mapping import MappingProfile, match_header
from concord.imports.readers import FileRejected, RawRow
from concord.imports.rows import Phone, parse_file, parse_placement_row

from .builders import HEADERS, ID_1, ID_2, row, rows_matrix, write_csv, write_xlsx

TODAY = dt.date(2026, 6, 1)
MAPPING, _ = match_header(HEADERS)


def parse(**overrides):
    return parse_placement_row(RawRow("Sheet1", 7, row(**overrides)), MAPPING, today=TODAY)


def test_good_row_gives_a_typed_record():
    result = parse()
    assert result.ok and result.errors == [] and result.warnings == []
    record = result.record
    assert (record.full_name, record.national_id, record.account_reference) == ("张三", ID_1, "L0001")
    assert (record.birth_date, record.gender) == (dt.date(1990, 1, 1), "M")
    assert (record.product, record.contract_amount) == ("online_loan", Decimal("12000.00"))
    assert (record.annual_rate, record.term_months, record.repayment_method) == (Decimal("0.165"), 12,
                                                                                 "equal_installment")
    assert (record.loan_date, record.due_date, record.dpd) == (dt.date(2025, 6, 1), dt.date(2026, 1, 5), 30)
    assert record.mobile == Phone("+8613812348000", "valid")
    assert record.emergency_contact_phone == Phone("+8613912345678", "valid")
    assert record.overdue_principal is None and record.home_address == ""


def test_optional_fields_may_be_blank_and_15_digit_id_is_converted():
    blank = {h: "" for h in HEADERS if h not in ("姓名", "身份证号", "借据号", "产品", "合同金额")}
    result = parse(身份证号="110105900101123", **blank)
    assert result.ok
    assert result.record.national_id.startswith("11010519900101123")
    assert result.record.mobile is None and result.record.loan_date is None


def test_invalid_phone_is_a_warning_and_kept_as_invalid():
    result = parse(手机号="12345", 紧急联系人电话="abc")
    assert result.ok
    assert result.record.mobile == Phone("12345", "invalid")
    assert result.record.emergency_contact_phone == Phone("abc", "invalid")
    assert [(w.field, w.column) for w in result.warnings] == [("mobile", "手机号"),
                                                              ("emergency_contact_phone", "紧急联系人电话")]
    assert all(w.code.startswith("phone_") for w in result.warnings)


# A corpus of broken rows: each gives exactly one error, on the right field, with the right code.
BROKEN = [
    ({"姓名": ""}, "full_name", "姓名", "required"),
    ({"身份证号": " "}, "national_id", "身份证号", "required"),
    ({"借据号": "-"}, "account_reference", "借据号", "required"),
    ({"产品": ""}, "product", "产品", "required"),
    ({"合同金额": ""}, "contract_amount", "合同金额", "required"),
    ({"合同金额": "-100"}, "contract_amount", "合同金额", "amount_negative"),
    ({"合同金额": "十万"}, "contract_amount", "合同金额", "amount_format"),
    ({"应还日期": "2026/2/30"}, "due_date", "应还日期", "date_nonexistent"),
    ({"放款日期": "2026-02-01", "应还日期": "2026-01-05"}, "due_date", "应还日期", "due_before_loan"),
    ({"放款日期": "1985-01-01"}, "loan_date", "放款日期", "date_range"),
    ({"产品": "房贷"}, "product", "产品", "unknown_product"),
    ({"还款方式": "随便还"}, "repayment_method", "还款方式", "unknown_repayment_method"),
    ({"年利率": "24"}, "annual_rate", "年利率", "rate_range"),
    ({"期数": "0"}, "term_months", "期数", "integer_range"),
    ({"逾期天数": "-1"}, "dpd", "逾期天数", "integer_range"),
    ({"身份证号": resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")},
     "national_id", "身份证号", "id_checksum"),
    ({"身份证号": 110105199001011232}, "national_id", "身份证号", "id_lost_digits"),
    ({"身份证号": "1.10105E+17"}, "national_id", "身份证号", "id_lost_digits"),
    ({"姓名": "张" * 51}, "full_name", "姓名", "text_too_long"),
]


@pytest.mark.parametrize("overrides, field, column, code", BROKEN, ids=[b[3] + ":" + b[1] for b in BROKEN])
def test_broken_row_gives_one_error_on_the_right_field(overrides, field, column, code):
    result = parse(**overrides)
    assert not result.ok and result.record is None
    assert [(e.field, e.column, e.code) for e in result.errors] == [(field, column, code)]
    problem = result.problem_dicts()[0]
    assert (problem["row"], problem["sheet"], problem["field"], problem["severity"]) == (7, "Sheet1", field, "error")
    assert problem["reason"]
    assert column in result.errors[0].reason


def test_several_errors_are_all_reported():
    result = parse(姓名="", 合同金额="-1", 产品="房贷")
    assert {e.field for e in result.errors} == {"full_name", "contract_amount", "product"}


def test_return_date_before_placement_date():
    mapping, _ = match_header(HEADERS + ["委案日期", "退案日期"])
    raw = RawRow("", 2, row(委案日期="2026-05-01", 退案日期="2026-04-01"))
    result = parse_placement_row(raw, mapping, today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("return_on", "return_before_placement")]


def test_unmapped_columns_are_kept_as_extra():
    mapping, unknown = match_header(HEADERS + ["备注"])
    assert unknown == ["备注"]
    result = parse_placement_row(RawRow("", 2, row(备注=" 客户称已还款 ")), mapping, today=TODAY)
    assert result.record.extra == {"备注": "客户称已还款"}


def test_parse_file_csv_gbk_with_unknown_columns_and_duplicates(tmp_path):
    headers = HEADERS + ["备注"]
    rows = [row(), row(借据号="L0002", 身份证号=ID_2, 姓名="李四"), row(合同金额="-5"),
            row(合同金额="13000", 逾期天数="31"), row(借据号="L0002", 姓名="李四")]
    path = write_csv(tmp_path / "p.csv", rows_matrix(rows, headers), encoding="gbk", delimiter=";")
    parsed = parse_file(path, today=TODAY)
    assert (parsed.encoding, parsed.delimiter, parsed.header_row, parsed.sheet) == ("gb18030", ";", 1, "")
    assert parsed.unknown_columns == ["备注"]
    results = list(parsed)
    assert [r.row_number for r in results] == [2, 3, 4, 5, 6]
    assert [r.ok for r in results] == [True, True, False, True, True]
    assert [r.duplicate_of_row for r in results] == [None, None, None, 2, 3]
    assert results[3].record.contract_amount == Decimal("13000.00")  # the later row carries the update


def test_parse_file_xlsx_end_to_end(tmp_path):
    data = rows_matrix([
        row(合同金额=12000.5, 年利率=0.165, 期数=12, 放款日期=dt.datetime(2025, 6, 1), 应还日期=46027, 逾期天数=30),
        row(借据号="L0002", 应还日期=20260105, 手机号=13812348000),
        row(借据号="L0003", 身份证号=int(ID_1)),  # an 18-digit ID typed as a number
        row(借据号="L0004", 姓名="=1+1", 紧急联系人电话="=HYPERLINK(\"tel:1\",\"call\")"),
    ])
    path = write_xlsx(tmp_path / "p.xlsx", {"封面": [["委案清单"]],
                                            "明细": [["XX银行 委案清单"], ["2026-06"], *data]})
    parsed = parse_file(path, today=TODAY)
    assert (parsed.sheet, parsed.header_row) == ("明细", 3)
    results = list(parsed)
    assert [(r.sheet, r.row_number) for r in results] == [("明细", 4), ("明细", 5), ("明细", 6), ("明细", 7)]
    first, second, third, fourth = results
    assert first.record.contract_amount == Decimal("12000.50") and first.record.annual_rate == Decimal("0.165")
    assert first.record.due_date == second.record.due_date == dt.date(2026, 1, 5)
    assert second.record.mobile == Phone("+8613812348000", "valid")
    assert [(e.field, e.code) for e in third.errors] == [("national_id", "id_lost_digits")]
    assert fourth.ok and fourth.record.full_name == "=1+1"  # kept as text, never evaluated
    assert fourth.record.emergency_contact_phone.status == "invalid"


def test_parse_file_rejects_a_file_without_header_at_once(tmp_path):
    path = write_csv(tmp_path / "noheader.csv", [["张三", ID_1, "L1", "网贷", "1000"]])
    with pytest.raises(FileRejected) as info:
        parse_file(path, today=TODAY)
    assert info.value.code == "no_header"


def test_parse_file_with_a_creditor_profile(tmp_path):
    headers = ["客户名称", "身份证号", "借据号", "产品", "合同金额"]
    path = write_csv(tmp_path / "c.csv", [headers, ["王五", ID_1, "C1", "信用卡", "1.2万"]])
    with pytest.raises(FileRejected):
        parse_file(path, today=TODAY)
    profile = MappingProfile("xx", {"客户名称": "full_name"})
    (result,) = list(parse_file(path, today=TODAY, profile=profile))
    assert result.record.full_name == "王五" and result.record.contract_amount == Decimal("12000.00")


def test_junk_rows_are_rejected_with_reasons_and_good_rows_kept(tmp_path):
    matrix = rows_matrix([row(), row(借据号="L0002")])
    matrix.append(["合计", "", "", "", "", "24000"] + [""] * (len(HEADERS) - 6))  # a totals footer
    matrix.append(["=cmd|' /C calc'!A0", ID_1, "", "L0003", "网贷", "=1+1"] + [""] * (len(HEADERS) - 6))
    results = list(parse_file(write_csv(tmp_path / "junk.csv", matrix), today=TODAY))
    assert [r.ok for r in results] == [True, True, False, False]
    assert {e.field for e in results[2].errors} == {"national_id", "account_reference", "product"}
    assert [(e.field, e.code) for e in results[3].errors] == [("contract_amount", "amount_format")]
    assert results[3].cells["姓名"] == "=cmd|' /C calc'!A0"  # kept verbatim for the error file


def test_reasons_render_per_language():
    from django.utils import translation

    error = parse(合同金额="-100").errors[0]
    with translation.override("zh-hans"):
        assert "负数" in error.reason and error.reason.startswith("合同金额")
    with translation.override("en"):
        assert str(error.message)
