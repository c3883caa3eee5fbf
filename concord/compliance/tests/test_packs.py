"""Policy packs: loading, validation, and tightening (never loosening)."""
from __future__ import annotations

import copy
import datetime as dt

import pytest

from concord.compliance.gate import evaluate
from concord.compliance.history import History
from concord.compliance.model import ContactEvent, Request, to_us
from concord.compliance.packs import PackError, all_packs, build_pack, load_pack, tighten

from zoneinfo import ZoneInfo

EXPECTED = {   # RULES.md: the codes each pack ships (enforced or listed)
    "cn_online_lending": {"CN1", "CN2", "CN3", "CN4", "CN8", "CN14", "CN15", "CN16", "CN17"},
    "cn_bank": {"CN5", "CN6", "CN7", "CN8", "CN9", "CN10", "CN11", "CN12", "CN13", "CN14", "CN15"},
    "us_reg_f": {f"US{i}" for i in range(1, 16) if i != 8},
    "uk_conc": {"UK1", "UK2", "UK3", "UK5", "UK6", "UK7"},
}
HOUSE = {"HOLD", "CEASE", "ATTORNEY", "DECEASED"}


@pytest.mark.parametrize("pack", all_packs(), ids=lambda p: p.name)
def test_each_pack_ships_its_rules_with_source_date_and_confidence(pack):
    codes = {r.code for r in pack.rules}
    assert EXPECTED[pack.name] <= codes and codes - EXPECTED[pack.name] <= HOUSE
    for r in pack.rules:
        assert r.source and r.jurisdiction and isinstance(r.effective, dt.date) and r.title_zh and r.title_en
        assert r.confidence in ("P", "S", "U", "P/S", "S/U", "H")
        assert (r.code in HOUSE) == (r.confidence == "H")
    assert pack.version.startswith("2026.12+")


def test_confidence_follows_rules_md():
    rules = {(p.name, r.code): r for p in all_packs() for r in p.rules if r.kind != "inconvenient"}
    assert rules["cn_online_lending", "CN2"].confidence == "S" and rules["cn_online_lending", "CN2"].uncertain
    assert rules["cn_bank", "CN13"].confidence == "S/U"
    assert rules["us_reg_f", "US4"].confidence == "P/S"
    assert rules["us_reg_f", "US1"].confidence == "P" and not rules["us_reg_f", "US1"].uncertain
    assert rules["cn_online_lending", "CN14"].confidence == "P"


def test_parameters_as_data():
    assert load_pack("cn_online_lending").rule("CN2").params["max"] == 3
    assert load_pack("cn_bank").rule("CN6").params["max"] == 6
    assert load_pack("us_reg_f").rule("US4").params["max_calls"] == 7
    hours = load_pack("us_reg_f").rule("quiet_hours").params
    assert (hours["start"], hours["end"], hours["end_inclusive"]) == ("08:00:00", "21:00:00", True)
    assert load_pack("cn_bank").rule("quiet_hours").params["end_inclusive"] is False
    assert load_pack("us_reg_f").consent_max_days == 7 and load_pack("cn_bank").consent_max_days is None
    assert load_pack("cn_bank").default_timezone == "Asia/Shanghai" and load_pack("uk_conc").default_timezone is None


def _raw(name="cn_bank"):
    return copy.deepcopy(dict(load_pack(name).data))


@pytest.mark.parametrize("change,message", [
    (lambda d: d["rules"][0].pop("source"), "cn_bank.rules[0].source: required"),
    (lambda d: d["rules"][0].update(kind="magic"), "cn_bank.rules[0].kind: unknown kind 'magic'"),
    (lambda d: d["rules"][0].update(confidence="maybe"), "cn_bank.rules[0].confidence: must be one of"),
    (lambda d: d["rules"][0].update(effective="2026-13-01"), "cn_bank.rules[0].effective: not a date"),
    (lambda d: d["rules"][2]["params"].update(max=-1), "cn_bank.rules[2].params.max: must be a whole number ≥ 0"),
    (lambda d: d["rules"][2]["params"].update(max="6"), "cn_bank.rules[2].params.max: must be a whole number"),
    (lambda d: d["rules"][2]["params"].update(limit=6), "cn_bank.rules[2].params.limit: unknown parameter"),
    (lambda d: d["rules"][2]["params"].pop("max"), "cn_bank.rules[2].params: missing max"),
    (lambda d: d["rules"][2]["params"].update(outcomes=["hung_up"]), "unknown value 'hung_up'"),
    (lambda d: d["rules"][0]["params"].update(start="25:00"), "cn_bank.rules[0].params.start: must be a time"),
    (lambda d: d["rules"][0]["params"].update(start="23:00"), "cn_bank.rules[0].params: start must be before end"),
    (lambda d: d["rules"][1].update(id="quiet_hours"), "cn_bank.rules[1].id: duplicate rule id 'quiet_hours'"),
    (lambda d: d.update(default_timezone="Asia/Atlantis"), "cn_bank.default_timezone: unknown time zone"),
    (lambda d: d.update(rules=[]), "cn_bank.rules: must be a non-empty list"),
])
def test_validation_names_the_pack_rule_and_field(change, message):
    data = _raw()
    change(data)
    with pytest.raises(PackError) as err:
        build_pack(data)
    assert message in str(err.value)


def test_unknown_pack():
    with pytest.raises(PackError, match="unknown policy pack 'eu'"):
        load_pack("eu")


# -- tightening -------------------------------------------------------------------------------------------------
def test_tighten_accepts_stricter_and_equal_values():
    pack = load_pack("cn_online_lending")
    assert tighten(pack, {"CN2": {"max": 2}}).rule("CN2").params["max"] == 2
    assert tighten(pack, {"connected_call_cap": {"max": 3}}).rule("CN2").params["max"] == 3
    shorter = tighten(pack, {"CN1": {"start": "09:00", "end": "20:00"}})
    assert dict(shorter.rule("quiet_hours").params) == {"start": "09:00", "end": "20:00", "end_inclusive": False,
                                                        "consent_lifts": True}
    assert tighten(pack, {"CN1": {"consent_lifts": False}}).rule("quiet_hours").params["consent_lifts"] is False
    more = tighten(pack, {"third_party_disclosure": {"terms": [*pack.rule("third_party_disclosure").params["terms"],
                                                               "账户"]}})
    assert "账户" in more.rule("third_party_disclosure").params["terms"]
    us = tighten(load_pack("us_reg_f"), {"US4": {"max_calls": 5, "conversation_days": 10},
                                         "consent_max_days": 3, "US1": {"end_inclusive": False}})
    assert us.rule("US4").params["max_calls"] == 5 and us.consent_max_days == 3
    assert us.version != load_pack("us_reg_f").version
    assert load_pack("cn_online_lending").rule("CN2").params["max"] == 3      # the shipped pack is untouched


@pytest.mark.parametrize("pack,override,why", [
    ("cn_online_lending", {"CN2": {"max": 5}}, "CN2 (connected_call_cap): refused, a rule may only be made "
                                               "stricter: max=5 is looser than 3"),
    ("cn_online_lending", {"CN1": {"end": "22:30"}}, "end=22:30 is later than 22:00:00"),
    ("cn_online_lending", {"CN1": {"start": "07:00"}}, "start=07:00 is earlier than 08:00:00"),
    ("cn_online_lending", {"CN1": {"end_inclusive": True}}, "end_inclusive=true widens the window to include 22:00:00"),
    ("cn_online_lending", {"CN2": {"consent_lifts": True}}, "consent_lifts=true is looser than false"),
    ("cn_online_lending", {"CN2": {"outcomes": []}}, "outcomes drops conversation"),
    ("cn_bank", {"CN6": {"max": 7}}, "max=7 is looser than 6"),
    ("cn_bank", {"CN9": {"min": 1}}, "min=1 is looser than 2 (higher is stricter)"),
    ("cn_bank", {"third_parties": {"require_lost_contact": False}}, "require_lost_contact=false is looser"),
    ("cn_bank", {"third_parties": {"purposes": ["location", "collection"]}}, "purposes adds collection"),
    ("cn_bank", {"holds": {"allowed_purposes": ["service", "collection"]}}, "allowed_purposes adds collection"),
    ("us_reg_f", {"US4": {"window_days": 6}}, "window_days=6 is looser than 7"),
    ("us_reg_f", {"third_parties": {"once_per_party": False}}, "once_per_party=false is looser than true"),
    ("us_reg_f", {"consent_max_days": 30}, "consent_max_days=30 is looser than 7"),
    ("us_reg_f", {"XX9": {"max": 1}}, "no rule 'XX9', nor in any shipped pack"),
    ("us_reg_f", {"US4": {"max_call": 1}}, "unknown parameter 'max_call'"),
    ("us_reg_f", {"US1": {"end": "21:30"}}, "end=21:30 is later than 21:00:00"),
    ("uk_conc", {"UK3": {"max": 1}}, "UK3 names several rules"),
])
def test_tighten_refuses_looser_values_with_the_reason(pack, override, why):
    with pytest.raises(ValueError) as err:
        tighten(load_pack(pack), override)
    assert why in str(err.value)


def test_a_creditor_adds_the_other_cn_packs_cap():
    bank = tighten(load_pack("cn_bank"), {"CN2": {"max": 2}})
    assert bank.rule("CN2").params["max"] == 2 and bank.rule("CN6").params["max"] == 6
    with pytest.raises(ValueError, match="max=4 is looser than 3"):
        tighten(load_pack("cn_bank"), {"CN2": {"max": 4}})
    tz = ZoneInfo("Asia/Shanghai")
    at = dt.datetime(2026, 6, 1, 10, tzinfo=tz)
    events = [ContactEvent(at=at - dt.timedelta(hours=h), us=to_us(at - dt.timedelta(hours=h)), channel="call",
                           direction="outbound", party="P1", debts=("D1",), number="13800138000",
                           outcome="conversation", key="13800138000") for h in (1, 2)]
    history = History("P1", tz, {}, events)
    request = Request("call", ("D1",), "P1", "collection", number="13800138000")
    assert evaluate(request, at, history, load_pack("cn_bank")).allowed
    decision = evaluate(request, at, history, bank)
    assert decision.rules == ("CN2",) and "上限 2 次" in decision.reason_zh


def test_tightened_hours_take_effect():
    pack = tighten(load_pack("cn_online_lending"), {"CN1": {"end": "21:00"}})
    tz = ZoneInfo("Asia/Shanghai")
    history = History("P1", tz, {}, [])
    request = Request("sms", ("D1",), "P1", "collection")
    at = dt.datetime(2026, 6, 1, 21, 30, tzinfo=tz)
    assert evaluate(request, at, history, load_pack("cn_online_lending")).allowed
    assert evaluate(request, at, history, pack).rules == ("CN1",)
