"""The placement rules of a case (pure): its reference, which statuses a new placement reopens."""
from concord.cases import merge
from concord.cases.models import ACTIVE_STATUSES, CaseStatus


def test_reference_names_creditor_and_person():
    assert merge.case_reference("bank", 42) == "BANK-00000042"


def test_a_placement_reopens_an_ended_case_but_not_a_settled_or_active_one():
    ended = {s for s in CaseStatus.values if s not in ACTIVE_STATUSES and s != CaseStatus.SETTLED}
    assert set(merge.REOPENED_BY_PLACEMENT) == ended and merge.NEW == CaseStatus.NEW
    assert not any(merge.reopens(s) for s in (*ACTIVE_STATUSES, CaseStatus.SETTLED))
