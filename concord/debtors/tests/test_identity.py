"""Resident IDs and phone numbers: validation with a reason code, normalisation, derived facts."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from concord.conftest import resident_id
from concord.debtors import identity
from concord.debtors.identity import IdentityError, normalize_mobile, parse_resident_id

TODAY = dt.date(2026, 12, 1)


def _with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


class TestResidentId:
    def test_valid_id_gives_birth_date_gender_and_region(self):
        parsed = parse_resident_id(resident_id("110105", "19900101", 123), today=TODAY)
        assert parsed.number == "110105199001011232"
        assert parsed.birth_date == dt.date(1990, 1, 1)
        assert parsed.gender == "M"  # 17th digit 3 is odd
        assert parsed.region == "北京市朝阳区"

    def test_even_sequence_digit_is_female(self):
        assert parse_resident_id(resident_id("310101", "19851212", 222), today=TODAY).gender == "F"

    def test_x_check_digit_in_either_case_and_separators_and_full_width(self):
        number = next(n for n in (resident_id(seq=s) for s in range(1000)) if n.endswith("X"))
        assert parse_resident_id(number.lower(), today=TODAY).number == number
        assert parse_resident_id(f" {number[:6]} {number[6:14]}-{number[14:]} ", today=TODAY).number == number
        full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
        assert parse_resident_id(full_width, today=TODAY).number == number

    def test_15_digit_id_is_converted_to_the_same_person_18_digit_id(self):
        eighteen = resident_id("110105", "19900101", 123)
        fifteen = eighteen[:6] + eighteen[8:17]
        assert len(fifteen) == 15
        assert identity.convert_15_to_18(fifteen) == eighteen
        assert parse_resident_id(fifteen, today=TODAY).number == eighteen

    def test_wrong_checksum(self):
        good = resident_id()
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        with pytest.raises(IdentityError) as exc:
            parse_resident_id(bad, today=TODAY)
        assert exc.value.code == "checksum"

    def test_february_30_is_not_a_birth_date(self):
        with pytest.raises(IdentityError) as exc:
            parse_resident_id(_with_check("110105" + "19900230" + "123"), today=TODAY)
        assert exc.value.code == "birth_date"

    @pytest.mark.parametrize("birth", ["18991231", "20991231"])
    def test_implausible_birth_dates(self, birth):
        with pytest.raises(IdentityError) as exc:
            parse_resident_id(_with_check("110105" + birth + "123"), today=dt.date(2026, 11, 28))
        assert exc.value.code == "birth_date"

    def test_born_tomorrow_is_refused_today_accepted(self):
        number = _with_check("110105" + "20261128" + "123")
        assert parse_resident_id(number, today=dt.date(2026, 11, 28)).birth_date == dt.date(2026, 11, 28)
        with pytest.raises(IdentityError):
            parse_resident_id(number, today=dt.date(2026, 11, 27))

    @pytest.mark.parametrize("region", ["000000", "999999"])
    def test_unknown_region(self, region):
        with pytest.raises(IdentityError) as exc:
            parse_resident_id(_with_check(region + "19900101" + "123"), today=TODAY)
        assert exc.value.code == "region"
        assert region in str(exc.value)

    def test_historical_region_is_accepted_even_after_it_ceased(self):
        # stdnum/cn/loc.dat: 110110 county="[-1986]燕山区" — gone since 1986; people keep their number.
        number = resident_id("110110", "19990101", 1)
        with pytest.raises(Exception):
            ric.validate(number)  # stdnum itself refuses the birth year after the county ceased
        parsed = parse_resident_id(number, today=TODAY)
        assert parsed.region == "北京市燕山区"
        assert parsed.birth_date == dt.date(1999, 1, 1)

    @pytest.mark.parametrize("value, code", [
        ("", "required"), ("   ", "required"), (None, "required"),
        ("1101051990010112", "length"), ("1101051990010112345", "length"),
        ("11010519900101123A", "format"), ("11010519A001011232", "format"), ("11010590010112A", "format"),
    ])
    def test_format_errors_say_what_is_wrong(self, value, code):
        with pytest.raises(IdentityError) as exc:
            parse_resident_id(value, today=TODAY)
        assert exc.value.code == code

    def test_identity_error_is_a_value_error(self):
        assert issubclass(IdentityError, ValueError)

    @settings(max_examples=40, deadline=None)
    @given(birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
           seq=st.integers(min_value=0, max_value=999),
           region=st.sampled_from(["110105", "310101", "440106", "110110", "510104"]))
    def test_every_well_formed_id_round_trips(self, birth, seq, region):
        number = resident_id(region, birth.strftime("%Y%m%d"), seq)
        parsed = parse_resident_id(number, today=TODAY)
        assert parsed.number == number and parsed.birth_date == birth
        assert parsed.gender == ("M" if seq % 2 else "F")


class TestPhones:
    @pytest.mark.parametrize("value", [
        "13812348000", "+8613812348000", "+86 138 1234 8000", "138-1234-8000", "+86-138-1234-8000",
        "138 1234 8000", "0086 138 1234 8000", "１３８１２３４８０００", " 13812348000 ",
    ])
    def test_cn_mobile_forms_normalise_to_e164(self, value):
        assert normalize_mobile(value) == "+8613812348000"

    def test_landline_with_area_code(self):
        assert normalize_mobile("010-62345678") == "+861062345678"

    def test_foreign_number_keeps_its_country(self):
        assert normalize_mobile("+1 650 253 0000") == "+16502530000"

    @pytest.mark.parametrize("value, code", [
        ("", "required"), ("abc", "format"), ("12345", "invalid"), ("1381234800", "invalid"),
    ])
    def test_invalid_phone_says_why(self, value, code):
        with pytest.raises(IdentityError) as exc:
            normalize_mobile(value)
        assert exc.value.code == code

    def test_display_phone(self):
        assert identity.display_phone("+8613812348000") == "13812348000"
        assert identity.display_phone("+16502530000") == "+16502530000"


class TestOtherContacts:
    def test_email_is_lowercased(self):
        assert identity.normalize_email(" ZhangSan@Example.COM ") == "zhangsan@example.com"

    @pytest.mark.parametrize("value", ["zhangsan", "a@b", "a b@c.cn", ""])
    def test_invalid_email(self, value):
        with pytest.raises(IdentityError) as exc:
            identity.normalize_email(value)
        assert exc.value.code == "invalid"

    def test_normalize_contact_by_kind(self):
        assert identity.normalize_contact("mobile", "138-1234-8000") == "+8613812348000"
        assert identity.normalize_contact("email", "A@B.CN") == "a@b.cn"
        assert identity.normalize_contact("wechat", " ｗｘｉｄ＿ａｂｃ ") == "wxid_abc"
        with pytest.raises(IdentityError) as exc:
            identity.normalize_contact("address", "  ")
        assert exc.value.code == "required"
