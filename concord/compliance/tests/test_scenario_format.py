"""Parsing scenario files: precise errors naming the field at fault; lenient defaults the format allows."""
from __future__ import annotations

import copy
import json

import pytest

from concord.compliance.scenario import ScenarioError, decide, load, parse, replay

BASE = {
    "name": "format", "policy": "cn_bank", "debtor": {"id": "P1", "timezone": "Asia/Shanghai"},
    "debts": [{"id": "D1", "creditor": "C1"}], "parties": [{"id": "T1", "relation": "friend"}],
    "history": [{"at": "2026-06-01T09:00:00+08:00", "channel": "call", "direction": "outbound", "debt": "D1",
                 "party": "P1", "number": "+8613800138000", "outcome": "no_answer"}],
    "checks": [{"at": f"2026-06-01T1{i}:00:00+08:00", "expect": "allow", "then": None,
                "request": {"channel": "call", "debt": "D1", "party": "P1", "number": "+8613800138000",
                            "purpose": "collection"}} for i in range(4)],
}


def broken(path: str, value=None, *, delete: bool = False) -> dict:
    """BASE with the value at a dotted path (``checks.3.request.channel``) replaced or deleted."""
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        last = int(last)
    if delete:
        del node[last]
    else:
        node[last] = value
    return data


@pytest.mark.parametrize("path,value,message", [
    ("checks.3.request.channel", "fax", 'checks[3].request.channel: unknown channel "fax"'),
    ("checks.1.request.purpose", "sales", 'checks[1].request.purpose: unknown purpose "sales"'),
    ("checks.0.at", "2026-06-01 10:00", "checks[0].at: the time needs an offset"),
    ("checks.0.at", "yesterday", 'checks[0].at: not an ISO 8601 time with an offset: "yesterday"'),
    ("checks.2.expect", "maybe", 'checks[2].expect: unknown decision "maybe"'),
    ("checks.2.then", "answered", 'checks[2].then: unknown outcome "answered"'),
    ("checks.0.request.agents", "two", 'checks[0].request.agents: must be a whole number ≥ 0, got "two"'),
    ("checks.0.request.debt", 7, "checks[0].request.debt: must be a debt id"),
    ("checks.0.request", "call", 'checks[0].request: must be an object, got "call"'),
    ("policy", "eu_gdpr", 'policy: unknown policy "eu_gdpr"'),
    ("debtor.timezone", "Mars/Olympus", 'debtor.timezone: unknown time zone "Mars/Olympus"'),
    ("history.0.outcome", "hung_up", 'history[0].outcome: unknown outcome "hung_up"'),
    ("history.0.direction", "sideways", 'history[0].direction: unknown direction "sideways"'),
    ("history.0.at", None, "history[0].at: required"),
    ("history", {"at": 1}, "history: must be a list"),
    ("checks", [], None),
    ("locale", "fr", 'locale: unsupported locale "fr"'),
    ("parties.0.id", "P1", 'parties[0].id: duplicate party "P1"'),
])
def test_malformed_fields_are_named(path, value, message):
    data = broken(path, value)
    if message is None:
        assert parse(data).checks == []
        return
    with pytest.raises(ScenarioError) as err:
        parse(data)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("event,message", [
    ({"at": "2026-06-01T09:00:00+08:00", "event": "promise"}, 'history[1].event: unknown event "promise"'),
    ({"at": "2026-06-01T09:00:00+08:00", "event": "inconvenient", "party": "P1", "from": "noon", "to": "14:00"},
     'history[1].from: not a time of day HH:MM: "noon"'),
    ({"at": "2026-06-01T09:00:00+08:00", "event": "inconvenient", "party": "P1", "to": "14:00"},
     "history[1].from: required"),
    ({"at": "2026-06-01T09:00:00+08:00", "event": "consent", "scope": "forever"},
     'history[1].scope: unknown consent scope "forever"'),
    ({"at": "2026-06-01T09:00:00+08:00", "event": "hold", "kind": "dispute", "until": "soon"},
     'history[1].until: not an ISO 8601 time'),
    ({"at": "2026-06-01T09:00:00+08:00", "party": "P1"}, 'history[1]: an event needs "channel"'),
    ({"at": "2026-06-01T09:00:00+08:00", "event": "cease", "channel": "pigeon"},
     'history[1].channel: unknown channel "pigeon"'),
])
def test_malformed_history_events(event, message):
    data = copy.deepcopy(BASE)
    data["history"].append(event)
    with pytest.raises(ScenarioError) as err:
        parse(data)
    assert str(err.value).startswith(message), str(err.value)


def test_whole_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match=r"^\(file\): not valid JSON"):
        parse('{"policy": "cn_bank",')
    with pytest.raises(ScenarioError, match=r"^\(file\): must be an object"):
        parse("[]")
    with pytest.raises(ScenarioError, match=r"^checks: required"):
        parse(json.dumps({k: v for k, v in BASE.items() if k != "checks"}))
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load(tmp_path / "missing.json")


def test_unknown_keys_are_ignored_and_times_may_end_in_z():
    data = copy.deepcopy(BASE)
    data["source"] = "CFPB example"
    data["checks"] = [dict(data["checks"][0], note="anything", at="2026-06-01T02:00:00Z")]
    assert [r["decision"] for r in replay(parse(data))] == ["allow"]


def test_locale_defaults_and_reason_language():
    assert parse(BASE).locale == "zh-CN"
    assert parse(dict(BASE, policy="us_reg_f")).locale == "en"
    data = dict(BASE, locale="en")
    data["checks"] = [dict(BASE["checks"][0], at="2026-06-01T23:00:00+08:00")]
    (line,) = replay(parse(data))
    assert line == {"check": 0, "decision": "deny", "rules": ["CN5"], "reason": line["reason"]}
    assert line["reason"].startswith("Denied: [CN5] local time 23:00:00")
    (line,) = replay(parse(dict(data, locale="zh-CN")))
    assert "当地时间 23:00:00" in line["reason"]


def test_missing_facts_are_not_malformed_but_denied_as_data():
    data = copy.deepcopy(BASE)
    data["policy"] = "us_reg_f"
    del data["debtor"]["timezone"]
    data["checks"] = [BASE["checks"][0]]
    (d,) = decide(parse(data))
    assert d.decision == "deny" and d.rules == ("DATA",)
    assert "time zone" in d.reason_en and "时区" in d.reason_zh
    del data["policy"]
    (d,) = decide(parse(data))
    assert d.rules == ("DATA",) and "policy pack" in d.reason_en


def test_every_rule_that_denies_is_listed():
    data = copy.deepcopy(BASE)
    data["policy"] = "cn_online_lending"
    data["history"] = [{"at": "2026-06-01T08:00:00+08:00", "event": "hold", "kind": "complaint"},
                       {"at": "2026-06-01T08:00:00+08:00", "event": "cease", "party": "P1", "channel": None}]
    data["checks"] = [{"at": "2026-06-01T23:00:00+08:00", "expect": "deny",
                       "request": {"channel": "sms", "debt": "D1", "party": "T1", "purpose": "collection",
                                   "template": "你再不还钱我们就爆你通讯录"}}]
    (d,) = decide(parse(data))
    assert d.rules == ("CN1", "CN3", "CEASE", "CN8", "HOLD")
    assert d.reason_en.count("[") == 6          # CN3 twice: not to locate, and the message reveals the debt
