"""The pure evaluation called directly: its inputs, its decision, and its purity."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from zoneinfo import ZoneInfo

from concord.compliance.gate import evaluate
from concord.compliance.history import History
from concord.compliance.model import ContactEvent, Decision, Request, StateEvent, number_key, to_us
from concord.compliance.packs import load_pack

SH = ZoneInfo("Asia/Shanghai")
CHI = ZoneInfo("America/Chicago")


def at(*args, tz=SH):
    return dt.datetime(*args, tzinfo=tz)


def call(when, outcome, party="P1", debts=("D1",), number="13800138000", direction="outbound"):
    return ContactEvent(at=when, us=to_us(when), channel="call", direction=direction, party=party, debts=debts,
                        number=number, outcome=outcome, key=number_key(number))


def test_the_pure_modules_import_no_django():
    code = ("import sys; import concord.compliance.scenario, concord.compliance.gate, concord.compliance.packs;"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'django']; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_decision_carries_codes_and_both_languages():
    history = History("P1", SH, {"T1": "friend"})
    d = evaluate(Request("call", ("D1",), "T1", "collection", number="13900139000"), at(2026, 6, 1, 23),
                 history, load_pack("cn_bank"))
    assert isinstance(d, Decision) and d.decision == "deny" and not d.allowed
    assert d.rules == ("CN5", "CN7")
    assert d.reason_zh.startswith("拒绝：[CN5]") and "[CN7]" in d.reason_zh
    assert d.reason_en.startswith("Denied: [CN5] local time 23:00:00") and d.reason("en") == d.reason_en
    assert d.reason("zh-CN") == d.reason_zh and [x.code for x in d.denials] == ["CN5", "CN7"]
    ok = evaluate(Request("sms", ("D1",), "P1", "collection"), at(2026, 6, 1, 10), history, load_pack("cn_bank"))
    assert ok.allowed and ok.rules == () and ok.reason_en == "Contact allowed: no rule prevents it."


def test_history_events_after_the_instant_are_invisible_and_order_of_input_is_irrelevant():
    t = at(2026, 6, 1, 12)
    events = [call(at(2026, 6, 1, h), "conversation") for h in (9, 10, 11, 13)]
    pack = load_pack("cn_online_lending")
    request = Request("call", ("D1",), "P1", "collection", number="13800138000")
    assert not evaluate(request, t, History("P1", SH, {}, events), pack).allowed
    assert evaluate(request, t, History("P1", SH, {}, events[1:]), pack).allowed
    assert not evaluate(request, t, History("P1", SH, {}, list(reversed(events))), pack).allowed
    # the same instant written in another offset
    assert not evaluate(request, t.astimezone(dt.timezone.utc), History("P1", SH, {}, events), pack).allowed


def test_history_add_keeps_same_instant_order_and_state_cache_is_refreshed():
    t = at(2026, 6, 1, 10)
    history = History("P1", SH, {})
    request = Request("sms", ("D1",), "P1", "collection")
    pack = load_pack("cn_bank")
    assert evaluate(request, t, history, pack).allowed
    history.add(StateEvent(at=t, us=to_us(t), event="hold", kind="complaint"))
    assert evaluate(request, t, history, pack).rules == ("HOLD",)
    history.add(StateEvent(at=t, us=to_us(t), event="hold_released", kind="complaint"))
    assert evaluate(request, t, history, pack).allowed


def test_us_calls_are_counted_per_debt_on_every_number():
    days = [at(2026, 6, d, 10, tz=CHI) for d in range(1, 8)]
    events = [call(w, "no_answer", number=f"+1312555010{i % 3}") for i, w in enumerate(days)]
    history = History("P1", CHI, {}, events)
    pack = load_pack("us_reg_f")
    d = evaluate(Request("call", ("D1",), "P1", "collection", number="+13125550999"), at(2026, 6, 7, 15, tz=CHI),
                 history, pack)
    assert d.rules == ("US4",) and "7 calls about debt D1" in d.reason_en
    assert evaluate(Request("call", ("D2",), "P1", "collection"), at(2026, 6, 7, 15, tz=CHI), history, pack).allowed
    assert evaluate(Request("call", ("D1",), "P1", "collection"), at(2026, 6, 8, 8, tz=CHI), history, pack).allowed


def test_missing_timezone_denies_as_data_but_still_reports_state_rules():
    t = at(2026, 6, 1, 10, tz=CHI)
    history = History("P1", None, {}, [StateEvent(at=t, us=to_us(t), event="deceased", party="P1")])
    d = evaluate(Request("email", ("D1",), "P1", "collection"), t, history, load_pack("us_reg_f"))
    assert d.rules == ("DATA", "DECEASED")


def test_number_key():
    assert number_key("+86 138-0013-8000") == number_key("13800138000") == number_key("008613800138000")
    assert number_key("+1 (312) 555-0100") == number_key("3125550100")
    assert number_key("13800138000") != number_key("13800138001")
    assert number_key(None) is None and number_key("--") is None
