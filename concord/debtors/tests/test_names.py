"""Names refuse direction controls and invisible characters; the zero-width (non-)joiner only between two letters of
a script that needs it. The same rule for names typed in, sent over the API and read from files."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from concord.conftest import resident_id
from concord.debtors import identity, services

BAD = {
    "right-to-left override": "张\u202e三",
    "left-to-right embedding": "\u202a张三",
    "pop directional formatting": "张三\u202c",
    "first strong isolate": "张\u2068三",
    "pop directional isolate": "张三\u2069",
    "right-to-left mark": "张\u200f三",
    "zero-width space": "张\u200b三",
    "word joiner": "张\u2060三",
    "zero-width joiner between Han": "张\u200d三",
    "zero-width non-joiner at the end": "李四\u200c",
    "zero-width joiner between Latin": "Ann\u200dSmith",
    "joiner across scripts": "\u0645\u200d张",
    "a control character": "张\x07三",
}
GOOD = {
    "Han": "张三",
    "Extension B": "\U00020000\U0002A6A5",
    "Uyghur with a middle dot": "买买提·艾力",
    "Persian with ZWNJ": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "Devanagari with ZWJ": "\u0915\u094d\u200d\u0937",
    "Latin": "Anne-Marie O'Neil",
}


@pytest.mark.parametrize("name", list(BAD))
def test_names_with_direction_controls_or_invisible_characters_are_refused(name):
    with pytest.raises(identity.IdentityError) as exc:
        identity.check_name(BAD[name])
    assert exc.value.code == "unsafe_character"
    assert "U+" in exc.value.text


@pytest.mark.parametrize("name", list(GOOD))
def test_names_that_need_no_control_characters_pass(name):
    assert identity.check_name(GOOD[name]) == identity.normalize_text(GOOD[name])


@pytest.mark.django_db
def test_registering_or_renaming_a_person_refuses_a_bidi_override(world):
    with pytest.raises(ValidationError) as exc:
        services.register_debtor(None, full_name="王\u202e五", id_number=resident_id(seq=901))
    assert "full_name" in exc.value.message_dict
    debtor = world.cases["a"].debtor
    with pytest.raises(ValidationError):
        services.update_debtor(None, debtor, full_name="王\u2066五")
    with pytest.raises(ValidationError):
        services.add_related_party(None, debtor, role="spouse", full_name="赵\u200b六")


def test_a_placement_file_row_with_a_bidi_control_in_the_name_is_rejected():
    from concord.imports.rows import PARSERS

    with pytest.raises(Exception) as exc:
        PARSERS["full_name"]("张\u202e三", None)
    assert getattr(exc.value, "code", "") == "unsafe_character"
