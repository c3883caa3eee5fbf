"""The live gate: decisions stored for every request, built from the ledger and state across creditors."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from concord.compliance import services
from concord.compliance.models import ContactAttempt, ContactDecision
from concord.core.models import AuditEvent
from concord.conftest import make_case, resident_id
from concord.debtors import services as debtor_services

SH = ZoneInfo("Asia/Shanghai")


def second_case(world):
    """李四 (case b at the platform) also owes the bank: a second case with its own card account."""
    return make_case(None, world.creditors["bank"], name="李四", id_number=resident_id("310101", "19851212", 222),
                     phone="13900001111", product_kind="credit_card", reference="CARD-0099")


def at(day=1, hour=10, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SH)


def qualify(user, on=dt.date(2026, 6, 1)):
    services.record_qualification(None, user=user, kind="pre_job_training", passed_on=on)
    services.record_qualification(None, user=user, kind="pre_job_exam", passed_on=on)


@pytest.fixture
def col_a(world):
    qualify(world.users["col_a"])
    return world.users["col_a"]


def call(actor, case, when, number="13812348000", **kw):
    return services.decide_contact(actor, case=case, channel="call", number=number, at=when, **kw)


def test_allow_is_stored_with_inputs_and_audited(world, col_a):
    case = world.cases["a"]
    d = call(col_a, case, at())
    assert d.allowed and d.rules == [] and d.pk
    assert d.pack == "cn_bank" and d.pack_version
    assert d.inputs["party"] == "D" and d.inputs["timezone"] == "Asia/Shanghai"
    assert d.number_masked == "138****8000" and "13812348000" not in str(d.inputs)
    assert AuditEvent.objects.filter(action="compliance.decide", object_id=str(d.pk)).exists()


def test_quiet_hours_deny_is_stored(world, col_a):
    d = call(col_a, world.cases["a"], at(hour=22, minute=30))
    assert not d.allowed and d.rules == ["CN5"]
    assert "22:30" in d.reason_zh and "outside" in d.reason_en
    assert ContactDecision.objects.filter(allowed=False).count() == 1


def test_unanswered_cap_per_number_cn_bank(world, col_a):
    case = world.cases["a"]
    for i in range(6):
        d = call(col_a, case, at(hour=9, minute=i * 5))
        assert d.allowed, d.reason_en
        services.record_contact_outcome(col_a, d, outcome="no_answer", at=at(hour=9, minute=i * 5 + 1))
    d = call(col_a, case, at(hour=11))
    assert not d.allowed and d.rules == ["CN6"]
    assert "138****8000" in d.reason_zh            # the number is shown masked, never as the token
    assert call(col_a, case, at(hour=11), number="13812349999").allowed   # another number is not affected
    assert call(col_a, case, at(day=2, hour=9)).allowed                  # the next local day


def test_same_number_written_differently_counts_together(world, col_a):
    case = world.cases["a"]
    for i in range(6):
        d = call(col_a, case, at(hour=9, minute=i * 5), number="+86 138-1234-8000")
        services.record_contact_outcome(col_a, d, outcome="busy", at=at(hour=9, minute=i * 5 + 1))
    assert not call(col_a, case, at(hour=12), number="13812348000").allowed


def test_connected_cap_counts_across_creditors(world):
    """CN2 counts the person's conversations across every creditor: the same debtor with a bank case and a
    platform case."""
    col_b = world.users["col_b"]
    qualify(col_b)
    case_b = world.cases["b"]
    bank_case = second_case(world)
    for i in range(2):
        d = call(col_b, case_b, at(hour=9, minute=i * 10), number="13900001111")
        services.record_contact_outcome(col_b, d, outcome="conversation", at=at(hour=9, minute=i * 10 + 2))
    d = services.decide_contact(None, case=bank_case, channel="call", number="13900001111", at=at(hour=10))
    assert d.allowed   # cn_bank has no connected cap
    services.record_contact_outcome(None, d, outcome="conversation", at=at(hour=10, minute=1))
    denied = call(col_b, case_b, at(hour=11), number="13900001111")
    assert not denied.allowed and denied.rules == ["CN2"]
    assert "3" in denied.reason_zh


def test_pending_allow_counts_until_its_outcome(world):
    col_b = world.users["col_b"]
    qualify(col_b)
    case = world.cases["b"]
    for i in range(3):
        assert call(col_b, case, at(hour=9, minute=i), number="13900001111").allowed
    # three allows without outcomes yet count as calls of unknown outcome: the fourth is denied
    assert not call(col_b, case, at(hour=9, minute=5), number="13900001111").allowed


def test_outcome_needs_a_stored_recent_unused_allow(world, col_a):
    case = world.cases["a"]
    denied = call(col_a, case, at(hour=23))
    with pytest.raises(ValidationError) as exc:
        services.record_contact_outcome(col_a, denied, outcome="no_answer", at=at(hour=23, minute=1))
    assert "decision" in exc.value.message_dict
    ok = call(col_a, case, at())
    with pytest.raises(ValidationError) as exc:
        services.record_contact_outcome(col_a, ok, outcome="no_answer", at=at(hour=11))
    assert "at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_contact_outcome(col_a, ok, outcome="delivered", at=at(minute=1))
    assert "outcome" in exc.value.message_dict
    services.record_contact_outcome(col_a, ok, outcome="conversation", at=at(minute=1))
    with pytest.raises(ValidationError):
        services.record_contact_outcome(col_a, ok, outcome="conversation", at=at(minute=2))
    assert ContactAttempt.objects.count() == 1


def test_qualification_lapse_denies_collection_not_service(world):
    col = world.users["col_a"]
    case = world.cases["a"]
    d = call(col, case, at())
    assert not d.allowed and d.rules == ["QUAL"]
    assert "岗前考试" in d.reason_zh and "pre-job exam" in d.reason_en
    assert call(col, case, at(), purpose="service").allowed
    services.record_qualification(None, user=col, kind="pre_job_exam", passed_on=dt.date(2025, 1, 5))
    services.record_qualification(None, user=col, kind="pre_job_training", passed_on=dt.date(2025, 1, 2))
    d = call(col, case, at())   # training passed 2025-01-02 expired 2026-01-02
    assert d.rules == ["QUAL"] and "年度培训" in d.reason_zh
    services.record_qualification(None, user=col, kind="annual_refresher", passed_on=dt.date(2026, 1, 10))
    assert call(col, case, at()).allowed
    # the refresher lapses on 2027-01-10: a decision after that is denied again
    assert call(col, case, dt.datetime(2027, 1, 11, 10, tzinfo=SH)).rules == ["QUAL"]


def test_manager_is_not_subject_to_qualification(world):
    assert call(world.users["manager"], world.cases["a"], at()).allowed


def test_content_checker_denies_prohibited_sms(world, col_a):
    d = services.decide_contact(col_a, case=world.cases["a"], channel="sms", at=at(),
                                template="再不还钱就爆通讯录，通知你的家人")
    assert not d.allowed and "CONTENT" in d.rules and "爆通讯录" in d.reason_zh
    ok = services.decide_contact(col_a, case=world.cases["a"], channel="sms", at=at(),
                                 template="您的信用卡已逾期，请尽快还款，如有困难可申请分期。")
    assert ok.allowed


def test_third_party_needs_lost_contact_and_no_disclosure(world, col_a):
    case = world.cases["a"]
    friend = debtor_services.add_related_party(None, case.debtor, role="emergency_contact", full_name="赵六",
                                               phone="13600000000")
    d = call(col_a, case, at(), number="13600000000", related_party=friend, purpose="location")
    assert not d.allowed and d.rules == ["CN7"]
    debtor_services.update_debtor(None, case.debtor, lost_contact=True)
    case.debtor.refresh_from_db()
    assert call(col_a, case, at(), number="13600000000", related_party=friend, purpose="location").allowed
    d = services.decide_contact(col_a, case=case, channel="sms", related_party=friend, purpose="location",
                                at=at(), template="张三的信用卡逾期了，请转告他还款")
    assert not d.allowed and "CN7" in d.rules
    assert call(col_a, case, at(), number="13600000000", related_party=friend, purpose="collection").rules == ["CN7"]


def test_refused_third_party(world, col_a):
    case = world.cases["a"]
    debtor_services.update_debtor(None, case.debtor, lost_contact=True)
    friend = debtor_services.add_related_party(None, case.debtor, role="other", full_name="钱七", phone="13600000001")
    friend.refused_contact = True
    friend.save()
    case.debtor.refresh_from_db()
    d = call(col_a, case, at(), number="13600000001", related_party=friend, purpose="location")
    assert not d.allowed and "对方已要求不再被联系" not in d.reason_zh and "已要求不再被联系" in d.reason_zh


def test_cease_consent_attorney_inconvenient(world, col_a):
    case = world.cases["a"]
    debtor = case.debtor
    services.grant_consent(None, debtor=debtor, scope="hours", channel="call", valid_from=at(day=1, hour=0),
                           valid_until=at(day=2, hour=0))
    assert call(col_a, case, at(hour=22, minute=30)).allowed
    assert not call(col_a, case, at(day=2, hour=22, minute=30)).allowed
    inc = services.add_inconvenient_time(None, debtor=debtor, start=dt.time(12), end=dt.time(14),
                                         valid_from=at(day=1, hour=0))
    assert call(col_a, case, at(day=2, hour=13)).rules == ["CN5"]
    services.end_state(None, inc, at=at(day=2, hour=14, minute=30))
    assert call(col_a, case, at(day=3, hour=13)).allowed
    services.record_cease(None, debtor=debtor, channel="call", valid_from=at(day=3, hour=15))
    assert call(col_a, case, at(day=3, hour=16)).rules == ["CEASE"]
    assert services.decide_contact(col_a, case=case, channel="sms", at=at(day=3, hour=16)).allowed
    services.record_attorney(None, debtor=debtor, attorney_name="孙律师", valid_from=at(day=3, hour=17))
    d = services.decide_contact(col_a, case=case, channel="sms", at=at(day=3, hour=18))
    assert d.rules == ["ATTORNEY"] and "孙律师" in d.reason_zh and "孙律师" in d.reason_en


def test_hold_for_one_creditor_spares_the_others(world, col_a):
    case_b = world.cases["b"]
    debtor = case_b.debtor
    bank_case = second_case(world)
    hold = services.place_hold(None, debtor=debtor, creditor=world.creditors["fin"], kind="legal",
                               reason="诉讼中", at=at(hour=8))
    d = services.decide_contact(None, case=case_b, channel="sms", at=at())
    assert not d.allowed and d.rules == ["HOLD"]
    assert services.decide_contact(None, case=bank_case, channel="sms", at=at()).allowed
    services.release_hold(None, hold, reason="撤诉", at=at(hour=11))
    assert services.decide_contact(None, case=case_b, channel="sms", at=at(hour=12)).allowed
    assert not services.decide_contact(None, case=case_b, channel="sms", at=at(hour=10, minute=30)).allowed


def test_validation_errors_name_the_field(world):
    with pytest.raises(ValidationError) as exc:
        services.decide_contact(None, case=world.cases["a"], channel="fax", at=at())
    assert "channel" in exc.value.message_dict
    other = debtor_services.add_related_party(None, world.cases["b"].debtor, role="spouse", full_name="某某")
    with pytest.raises(ValidationError) as exc:
        services.decide_contact(None, case=world.cases["a"], channel="sms", related_party=other, at=at())
    assert "related_party" in exc.value.message_dict


def test_deceased_debtor(world):
    case = world.cases["b"]
    debtor_services.update_debtor(None, case.debtor, deceased=True)
    case.debtor.refresh_from_db()
    d = services.decide_contact(None, case=case, channel="sms", at=at())
    assert d.rules == ["DECEASED"]
