"""Creditor pack overrides: stricter values are stored and used by the live gate; looser ones are refused."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from concord.compliance import services
from concord.compliance.models import CreditorPolicy

SH = ZoneInfo("Asia/Shanghai")


def test_looser_value_refused_with_reason(world):
    with pytest.raises(ValidationError) as exc:
        services.set_overrides(world.users["compliance"], world.creditors["bank"], {"CN6": {"max": 10}})
    msg = " ".join(exc.value.message_dict["overrides"])
    assert "looser" in msg and "宽松" in msg
    with pytest.raises(ValidationError) as exc:
        services.set_overrides(None, world.creditors["bank"], {"quiet_hours": {"start": "07:00"}})
    assert "早于" in " ".join(exc.value.message_dict["overrides"])
    assert not CreditorPolicy.objects.exists()


def test_stricter_override_applies_to_live_gate(world):
    bank = world.creditors["bank"]
    services.set_overrides(world.users["compliance"], bank, {"CN6": {"max": 2}, "quiet_hours": {"end": "20:00:00"}})
    assert CreditorPolicy.objects.get(creditor=bank).overrides["CN6"] == {"max": 2}
    case = world.cases["u"]      # unassigned bank case: no qualification needed for a system decision
    at = dt.datetime(2026, 12, 1, 20, 30, tzinfo=SH)
    d = services.decide_contact(None, case=case, channel="call", number="13700002222", at=at)
    assert d.rules == ["CN5"] and "20:00" in d.reason_zh and d.pack_version != ""
    for i in range(2):
        t = dt.datetime(2026, 12, 2, 9, i, tzinfo=SH)
        d = services.decide_contact(None, case=case, channel="call", number="13700002222", at=t)
        services.record_contact_outcome(None, d, outcome="no_answer", at=t)
    d = services.decide_contact(None, case=case, channel="call", number="13700002222",
                                at=dt.datetime(2026, 12, 2, 10, tzinfo=SH))
    assert d.rules == ["CN6"]


def test_adding_other_pack_cap(world):
    """A bank creditor may add the online-lending pack's connected-call cap (CN2)."""
    services.set_overrides(None, world.creditors["bank"], {"CN2": {"max": 1}})
    case = world.cases["u"]
    t = dt.datetime(2026, 12, 2, 9, tzinfo=SH)
    d = services.decide_contact(None, case=case, channel="call", number="13700002222", at=t)
    services.record_contact_outcome(None, d, outcome="conversation", at=t)
    assert services.decide_contact(None, case=case, channel="call", number="13700002222",
                                   at=t + dt.timedelta(hours=1)).rules == ["CN2"]


def test_bad_json_shape(world):
    with pytest.raises(ValidationError) as exc:
        services.set_overrides(None, world.creditors["bank"], {"NOPE": {"max": 1}})
    assert "NOPE" in " ".join(exc.value.message_dict["overrides"])
