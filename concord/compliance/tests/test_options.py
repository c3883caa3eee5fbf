"""The contact-options selector: what the gate would decide now for each way of reaching the person, and when."""
import datetime as dt
from zoneinfo import ZoneInfo

from concord.compliance import selectors, services
from concord.compliance.models import ContactDecision
from concord.debtors import services as debtor_services

SH = ZoneInfo("Asia/Shanghai")


def test_options_at_night_say_when(world):
    case = world.cases["a"]
    debtor_services.add_related_party(None, case.debtor, role="guarantor", full_name="周八", phone="13500000000")
    debtor_services.add_related_party(None, case.debtor, role="emergency_contact", full_name="吴九",
                                      phone="13500000001")
    at = dt.datetime(2026, 12, 1, 22, 30, tzinfo=SH)
    opts = selectors.contact_options(case, world.users["manager"], at)
    assert {o.action for o in opts} == {"call", "sms", "party_call"}
    call = next(o for o in opts if o.action == "call")
    assert not call.allowed and call.rules == ("CN5",)
    assert call.next_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=SH)
    friend = next(o for o in opts if o.action == "party_call" and o.purpose == "location")
    assert "CN7" in friend.rules and friend.next_at is None and friend.next_note
    guarantor = next(o for o in opts if o.action == "party_call" and o.purpose == "collection")
    assert guarantor.rules == ("CN5",)
    assert not ContactDecision.objects.exists()        # a preview stores nothing


def test_options_hold_until(world):
    case = world.cases["a"]
    until = dt.datetime(2026, 12, 3, 9, 0, tzinfo=SH)
    services.place_hold(None, debtor=case.debtor, kind="breathing_space", reason="test",
                        at=dt.datetime(2026, 12, 1, 8, tzinfo=SH), until=until)
    opts = selectors.contact_options(case, world.users["manager"], dt.datetime(2026, 12, 1, 10, tzinfo=SH))
    sms = next(o for o in opts if o.action == "sms")
    assert sms.rules == ("HOLD",) and sms.next_at == until


def test_options_cap_resets_next_day(world):
    case = world.cases["a"]
    manager = world.users["manager"]
    for i in range(6):
        t = dt.datetime(2026, 12, 1, 9, i, tzinfo=SH)
        d = services.decide_contact(manager, case=case, channel="call", number="13812348000", at=t)
        services.record_contact_outcome(manager, d, outcome="no_answer", at=t)
    opts = selectors.contact_options(case, manager, dt.datetime(2026, 12, 1, 12, tzinfo=SH))
    call = next(o for o in opts if o.action == "call")
    assert call.rules == ("CN6",) and call.next_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=SH)
    assert next(o for o in opts if o.action == "sms").allowed
