"""Header mapping (concord.imports.mapping): Chinese and English headers, tolerant matching, profiles."""
import json

import pytest

from concord.imports.mapping import (DEFAULT_PROFILE, FIELDS, REQUIRED_FIELDS, MappingProfile, is_header_row,
                                     match_header, normalize_header)

ZH = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期", "应还日期",
      "逾期天数", "逾期本金", "逾期利息", "罚息", "剩余本金", "家庭住址", "工作单位", "紧急联系人", "紧急联系人电话",
      "紧急联系人关系", "委案日期", "退案日期"]
EN = ["Name", "ID Number", "Mobile", "Loan Number", "Product", "Contract Amount", "Annual Rate", "Term",
      "Repayment Method", "Loan Date", "Due Date", "Days Past Due", "Overdue Principal", "Overdue Interest",
      "Penalty", "Remaining Principal", "Home Address", "Employer", "Emergency Contact", "Emergency Contact Phone",
      "Emergency Contact Relation", "Placement Date", "Return Date"]


@pytest.mark.parametrize("headers", [ZH, EN], ids=["zh", "en"])
def test_every_issue_header_maps_to_its_field_in_order(headers):
    mapping, unknown = match_header(headers)
    assert unknown == []
    assert list(mapping.values()) == list(FIELDS)


@pytest.mark.parametrize("header, field", [
    ("合同号", "account_reference"), ("Contract Number", "account_reference"), ("借款金额", "contract_amount"),
    ("Loan Amount", "contract_amount"), (" 姓 名 ", "full_name"), ("ＩＤ　Ｎｕｍｂｅｒ", "national_id"),
    ("id number", "national_id"), ("ID_NUMBER", "national_id"), ("合同金额(元)", "contract_amount"),
    ("合同金额（元）", "contract_amount"), ("逾期本金【元】", "overdue_principal"), ("年利率(%)", "annual_rate"),
    ("逾期天数（天）", "dpd"), ("*姓名", "full_name"), ("姓名\n(必填)", "full_name"), ("Name (required)", "full_name"), ("手机号：", "mobile"), ("\ufeff姓名", "full_name"),
])
def test_tolerant_matching(header, field):
    assert DEFAULT_PROFILE.field_for(header) == field


def test_normalize_header():
    assert normalize_header(" Contract Amount (元) ") == "contractamount"
    assert normalize_header(None) == ""


def test_unknown_columns_are_reported_and_blank_headers_ignored():
    mapping, unknown = match_header(["姓名", "备注", None, "", "身份证号", "Credit Score"])
    assert mapping == {"姓名": "full_name", "身份证号": "national_id"}
    assert unknown == ["备注", "Credit Score"]


def test_two_columns_for_one_field_the_preferred_header_wins():
    mapping, unknown = match_header(["合同号", "姓名", "借据号"])
    assert mapping == {"姓名": "full_name", "借据号": "account_reference"}
    assert unknown == ["合同号"]


def test_header_row_needs_the_required_columns():
    assert is_header_row(["姓名", "身份证号", "借据号", "产品", "合同金额"])
    assert not is_header_row(["姓名", "身份证号", "借据号", "产品", "手机号", "逾期天数"])  # no amount
    assert not is_header_row(["某某银行委案清单 2026年6月", None, None])
    assert not is_header_row(["张三", "110105199001011232", "L1", "信用卡", "1000"])
    assert DEFAULT_PROFILE.missing_required(["姓名", "产品"]) == ["national_id", "account_reference",
                                                                  "contract_amount"]


def test_creditor_profile_adds_headers_keeps_defaults_and_round_trips_as_json():
    profile = MappingProfile("xx-bank", {"客户名称": "full_name", "欠款本金": "overdue_principal"})
    assert profile.field_for("客户名称") == "full_name"
    assert profile.field_for("身份证号") == "national_id"  # defaults still known
    mapping, _unknown = profile.match_header(["姓名", "客户名称"])
    assert mapping == {"客户名称": "full_name"}  # the profile's own header wins
    again = MappingProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert again == profile and again.field_for("欠款本金") == "overdue_principal"


def test_profile_without_defaults_and_with_unknown_field():
    only = MappingProfile("strict", {"客户名称": "full_name"}, include_defaults=False)
    assert only.field_for("姓名") is None
    with pytest.raises(ValueError, match="no_such_field"):
        MappingProfile("bad", {"x": "no_such_field"})


def test_required_fields_are_fields():
    assert set(REQUIRED_FIELDS) <= set(FIELDS)
