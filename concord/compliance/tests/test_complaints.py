"""Complaints and disputes: intake puts a hold, resolution releases it, deadlines escalate."""
import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from concord.compliance import services
from concord.compliance.models import Complaint, Hold

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 12, 1, 10, tzinfo=SH)


def open_one(world, **kw):
    case = world.cases["b"]
    args = dict(debtor=case.debtor, creditor=case.creditor, source="regulator_12378", category="conduct",
                summary="反映催收员夜间来电", received_at=T0, owner=world.users["compliance"])
    args.update(kw)
    return services.open_complaint(world.users["compliance"], **args)


def sms(case, when):
    return services.decide_contact(None, case=case, channel="sms", at=when)


def test_complaint_holds_collection_until_resolved(world):
    case = world.cases["b"]
    c = open_one(world)
    assert c.case == case and c.hold.kind == "complaint" and c.hold.creditor == case.creditor
    assert c.due_at == T0 + dt.timedelta(days=15)
    d = sms(case, T0 + dt.timedelta(hours=1))
    assert not d.allowed and d.rules == ["HOLD"] and "投诉" in d.reason_zh
    assert services.decide_contact(None, case=case, channel="sms", purpose="service",
                                   at=T0 + dt.timedelta(hours=1)).allowed
    # the hold cannot be released by hand while the complaint is open
    with pytest.raises(ValidationError) as exc:
        services.release_hold(None, c.hold, reason="手动")
    assert "hold" in exc.value.message_dict
    services.resolve_complaint(world.users["compliance"], c, resolution="upheld", reply="已致歉并处理涉事人员",
                               at=T0 + dt.timedelta(days=2))
    c.refresh_from_db()
    assert c.status == "resolved" and c.hold.released_at == T0 + dt.timedelta(days=2)
    assert sms(case, T0 + dt.timedelta(days=2, hours=1)).allowed


def test_other_creditor_not_held(world):
    c = open_one(world)
    other_case = world.cases["a"]          # another debtor entirely
    assert sms(other_case, T0 + dt.timedelta(hours=1)).allowed
    assert Hold.objects.filter(released_at__isnull=True).count() == 1
    assert c.is_open


def test_dispute_deadline_per_creditor(world):
    services.set_complaint_deadlines(None, world.creditors["fin"], complaint_days=7, dispute_days=20)
    c = open_one(world, kind="dispute", category="amount")
    assert c.due_at == T0 + dt.timedelta(days=20) and c.hold.kind == "dispute"
    c2 = open_one(world)
    assert c2.due_at == T0 + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as exc:
        services.set_complaint_deadlines(None, world.creditors["fin"], complaint_days=0, dispute_days=None)
    assert "complaint_days" in exc.value.message_dict


def test_owner_must_be_compliance(world):
    with pytest.raises(ValidationError) as exc:
        open_one(world, owner=world.users["col_a"])
    assert "owner" in exc.value.message_dict
    assert not Complaint.objects.exists() and not Hold.objects.exists()   # nothing half-written


def test_validation_names_fields(world):
    with pytest.raises(ValidationError) as exc:
        open_one(world, source="fax")
    assert "source" in exc.value.message_dict
    c = open_one(world)
    with pytest.raises(ValidationError) as exc:
        services.resolve_complaint(None, c, resolution="upheld", reply=" ")
    assert "reply" in exc.value.message_dict


def test_escalation_when_deadline_nears(world):
    c = open_one(world)
    assert services.escalate_due_complaints(T0 + dt.timedelta(days=12)) == []
    done = services.escalate_due_complaints(T0 + dt.timedelta(days=13, hours=1))
    assert [x.pk for x in done] == [c.pk]
    c.refresh_from_db()
    assert c.status == "escalated" and c.escalated_at
    assert services.escalate_due_complaints(T0 + dt.timedelta(days=20)) == []   # once only
    # an escalated complaint still holds and still resolves
    services.resolve_complaint(None, c, resolution="not_upheld", reply="经核查未发现违规", at=T0 + dt.timedelta(days=14))
    c.refresh_from_db()
    assert c.hold.released_at is not None


def test_escalate_command(world):
    open_one(world)
    out = StringIO()
    call_command("compliance", "escalate", "--now", (T0 + dt.timedelta(days=16)).isoformat(), stdout=out)
    assert "1" in out.getvalue()
    assert Complaint.objects.get().status == "escalated"
