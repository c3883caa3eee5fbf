"""PII masking: what people without the need to know see."""
import pytest

from concord.core.masking import (mask, mask_address, mask_email, mask_id_number, mask_name, mask_phone)


@pytest.mark.parametrize("value, expected", [
    ("110105199001011234", "110105********1234"),
    ("11010519900101123X", "110105********123X"),
    ("110105900101123", "110105*****1123"),   # old 15-digit form
    ("E12345678", "******678"),                # passport: last 3 only
    ("AB12", "*B12"),
    ("", ""), (None, ""),
])
def test_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("13812348000", "138****8000"),
    ("+8613812348000", "138****8000"),
    ("+86 138-1234-8000", "138****8000"),
    ("138 1234 8000", "138****8000"),
    ("010-62345678", "010****5678"),       # 11 digits with the area code
    ("62345678", "62**5678"),
    ("12345", "*****"),
    ("", ""), (None, ""),
])
def test_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("zhangsan@example.com", "z***@example.com"),
    ("a@b.cn", "a***@b.cn"),
    ("@example.com", "****@example.com"),
    ("not-an-email", "***"),
    ("", ""), (None, ""),
])
def test_email(value, expected):
    assert mask_email(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("北京市朝阳区建国路88号院3号楼1201", "北京市朝阳区****"),
    ("上海市", "上海市****"),
    ("", ""), (None, ""),
])
def test_address(value, expected):
    assert mask_address(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧***"),
    ("John Smith", "J*** S****"), ("Li", "L*"),
    ("", ""), (None, ""),
])
def test_name(value, expected):
    assert mask_name(value) == expected


def test_mask_dispatches_on_kind():
    assert mask("id_number", "110105199001011234") == "110105********1234"
    assert mask("mobile", "13812348000") == "138****8000"
    assert mask("landline", "01062345678") == "010****5678"
    assert mask("phone", "+8613812348000") == "138****8000"
    assert mask("email", "li.si@example.cn") == "l***@example.cn"
    assert mask("wechat", "wxid_abcdef") == "wx****"
    assert mask("name", "李四") == "李*"
    assert mask("address", "广东省广州市天河区体育西路") == "广东省广州市****"
    # an unknown kind is masked as an address rather than shown
    assert mask("something_new", "secret-value-123") == "secret****"


@pytest.mark.parametrize("kind, value", [("id_number", "110105199001011234"), ("mobile", "13812348000"),
                                         ("email", "zhangsan@example.com"), ("name", "张三丰"),
                                         ("address", "北京市朝阳区建国路88号")])
def test_masked_value_never_equals_the_original(kind, value):
    assert mask(kind, value) != value
