"""The borrower-file merge rules (pure): what is added, what is kept, which mobile is primary, which employer is
current, who a related party is."""
from hypothesis import given
from hypothesis import strategies as st

from concord.debtors import merge
from concord.debtors.models import ContactKind, ContactStatus, PartyRole


def test_the_pure_module_speaks_the_models_values():
    assert merge.MOBILE == ContactKind.MOBILE and merge.VALID == ContactStatus.VALID
    assert {merge.SPOUSE, merge.EMERGENCY_CONTACT, merge.OTHER} <= set(PartyRole.values)


def test_a_value_already_on_file_is_kept_and_a_new_one_added():
    book = merge.ContactBook([("mobile", "i1", True), ("address", "a1", False)])
    assert book.merge("mobile", "i1", "valid") is None          # the same number: kept
    assert book.merge("landline", "i1", "valid") is False       # the same digits as another kind: a new point
    assert book.merge("mobile", "i2", "valid") is False         # a second mobile is not primary
    assert book.merge("mobile", "i2", "valid") is None          # and is known from now on


def test_the_first_valid_mobile_becomes_primary():
    book = merge.ContactBook([("address", "a1", False), ("mobile", "i0", False)])
    assert book.merge("mobile", "i1", "invalid") is False       # an invalid number is never primary
    assert book.merge("email", "e1", "valid") is False          # nor anything but a mobile
    assert book.merge("mobile", "i2", "valid") is True
    assert book.merge("mobile", "i3", "valid") is False         # one primary mobile
    assert merge.ContactBook([("landline", "l1", True)]).merge("mobile", "i1", "valid") is True


@given(st.lists(st.tuples(st.sampled_from(["mobile", "email", "address"]), st.sampled_from("abcd"),
                          st.sampled_from(["valid", "invalid", "unknown"]))))
def test_merging_one_by_one_never_duplicates_and_keeps_at_most_one_primary_mobile(values):
    book, points = merge.ContactBook(), []
    for kind, index, status in values:
        primary = book.merge(kind, index, status)
        if primary is not None:
            points.append((kind, index, primary))
    assert len({(k, i) for k, i, _p in points}) == len(points)
    assert {(k, i) for k, i, _s in values} == {(k, i) for k, i, _p in points}
    assert sum(1 for k, _i, p in points if p) <= 1
    assert all(k == "mobile" for k, _i, p in points if p)
    # a book read back from what was added decides the same for every value: everything is known
    again = merge.ContactBook(points)
    assert all(again.merge(k, i, s) is None for k, i, s in values)


def test_an_employer_is_added_once_and_current_only_when_none_is():
    book = merge.EmployerBook([("甲公司", False)])
    assert book.merge("甲公司") is None
    assert book.merge("") is None
    assert book.merge("乙公司") is True
    assert book.merge("丙公司") is False
    assert merge.EmployerBook([("甲公司", True)]).merge("乙公司") is False


def test_a_related_party_is_known_by_phone_else_by_name_and_its_role_by_the_relation():
    assert merge.party_key("idx", "李梅") == "idx" and merge.party_key("", "李梅") == "李梅"
    assert merge.party_role("妻子", otherwise=PartyRole.EMERGENCY_CONTACT) == PartyRole.SPOUSE
    assert merge.party_role("Husband", otherwise=PartyRole.OTHER) == PartyRole.SPOUSE
    assert merge.party_role("紧急联系人（同事）", otherwise=PartyRole.OTHER) == PartyRole.EMERGENCY_CONTACT
    assert merge.party_role("同事", otherwise=PartyRole.OTHER) == PartyRole.OTHER
    assert merge.party_role("同事", otherwise=PartyRole.EMERGENCY_CONTACT) == PartyRole.EMERGENCY_CONTACT


def test_a_name_differs_only_when_one_is_given():
    assert not merge.name_differs("张三", "") and not merge.name_differs("张三", "张三")
    assert merge.name_differs("张三", "张叁")
