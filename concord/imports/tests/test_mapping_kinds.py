"""Per-kind field catalogues: each kind of file recognises its own headers; profiles are per kind."""
import pytest
from django.core.exceptions import ValidationError

from concord.imports import services
from concord.imports.mapping import CATALOGUES, FIELD_LABELS, MappingProfile, default_profile
from concord.imports.readers import FileRejected, open_table

from .builders import write_csv

HEADERS = {
    "payments": (["借据号", "还款金额", "还款日期", "交易流水号", "还款渠道", "交易类型", "原交易流水号", "姓名", "冲正原因"],
                 ["Loan Number", "Amount", "Payment Date", "Transaction Reference", "Channel", "Type",
                  "Original Reference", "Name", "Reversal Reason"]),
    "recalls": (["借据号", "退案日期", "退案原因"], ["Loan Number", "Recall Date", "Recall Reason"]),
    "contacts": (["身份证号", "借据号", "联系方式类型", "联系方式", "地址类型", "关系", "联系人姓名"],
                 ["ID Number", "Loan Number", "Contact Type", "Contact", "Address Type", "Relation", "Contact Name"]),
}


@pytest.mark.parametrize("kind", HEADERS)
def test_chinese_and_english_headers_map_to_the_same_fields(kind):
    profile = default_profile(kind)
    zh, en = HEADERS[kind]
    zh_map, zh_unknown = profile.match_header(zh)
    en_map, en_unknown = profile.match_header(en)
    assert zh_unknown == en_unknown == []
    assert list(zh_map.values()) == list(en_map.values())
    assert profile.is_header_row(zh) and profile.is_header_row(en)
    assert all(name in FIELD_LABELS for name in CATALOGUES[kind].fields)


def test_each_kind_needs_its_own_required_columns():
    assert default_profile("payments").missing_required(["借据号", "还款金额"]) == ["paid_at", "external_reference"]
    assert default_profile("recalls").is_header_row(["借据号"])
    assert not default_profile("recalls").is_header_row(["退案清单"])
    contacts = default_profile("contacts")
    assert contacts.missing_required(["联系方式", "姓名"]) == ["national_id|account_reference"]
    assert contacts.is_header_row(["借据号", "联系方式"]) and contacts.is_header_row(["身份证号", "号码"])
    assert not default_profile("placements").is_header_row(HEADERS["payments"][0])
    assert default_profile("payments").field_for("还款方式") == "channel"  # in a payment file it is the channel
    assert default_profile().field_for("还款方式") == "repayment_method"


def test_a_file_without_the_kinds_columns_says_which_are_missing(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["姓名", "联系方式", "关系"], ["张三", "13512345678", "父亲"]])
    with pytest.raises(FileRejected) as info:
        open_table(path, profile=default_profile("contacts"))
    assert info.value.code == "missing_columns" and "身份证号或借据号" in str(info.value)
    path = write_csv(tmp_path / "p.csv", [["x", "y"], ["1", "2"]])
    with pytest.raises(FileRejected) as info:
        open_table(path, profile=default_profile("payments"))
    assert info.value.code == "no_header" and "交易流水号" in str(info.value)


def test_a_profile_of_a_kind_round_trips_and_refuses_other_kinds_fields():
    profile = MappingProfile("bank", {"流水": "external_reference"}, kind="payments")
    assert profile.field_for("流水") == "external_reference" and profile.field_for("还款金额") == "amount"
    assert MappingProfile.from_dict(profile.to_dict()) == profile
    with pytest.raises(ValueError, match="contract_amount"):
        MappingProfile("bad", {"x": "contract_amount"}, kind="recalls")


@pytest.mark.django_db
def test_saved_profiles_use_their_kinds_catalogue(world):
    bank = world.creditors["bank"]
    assert services.load_profile(bank, "payments").kind == "payments"
    services.save_profile("tester", bank, kind="payments", columns={"入账流水": "external_reference"})
    loaded = services.load_profile(bank, "payments")
    assert loaded.kind == "payments" and loaded.field_for("入账流水") == "external_reference"
    assert services.load_profile(bank, "placements").field_for("入账流水") is None
    with pytest.raises(ValidationError):
        services.save_profile("tester", bank, kind="recalls", columns={"x": "amount"})
    assert "contact_value" in services.field_labels("contacts")
