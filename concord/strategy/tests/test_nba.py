"""Next-best-action on small hand-worked cases: no contact where it costs more than it brings, the best hour and
channel, the collectors' and the visit teams' capacity, the complaint budget and the per-person caps."""
from __future__ import annotations

import numpy as np

from concord.compliance.packs import load_pack
from concord.strategy import nba

HOURS = (9, 10)
COSTS = {"sms": 5, "letter": 300, "visit": 8000}


def choose(call_value, call_cost=30, messages=None, slots=None, **kw):
    call_value = np.array(call_value, float)
    n = len(call_value)
    messages = messages or {}
    value = {ch: np.array(messages.get(ch, [0] * n), float) for ch in ("sms", "letter", "visit")}
    return nba.choose(hours=HOURS, call_value=call_value, call_cost=np.full(call_value.shape, call_cost, float),
                      message_value=value, message_cost=COSTS, call_slots=slots or {9: 10, 10: 10}, **kw)


def test_no_contact_when_costs_exceed_expected_recovery():
    # a call is expected to bring 20 fen and costs 30; an SMS 4 fen and costs 5; a letter 299 and costs 300
    assert choose([[20, 25]], messages={"sms": [4], "letter": [299]}) == []


def test_the_best_hour_and_the_best_channel():
    # case 0: a call at 10:00 nets 100 − 30 = 70, at 09:00 20; its SMS nets 10 → call at 10
    # case 1: its call nets at most 40 − 30 = 10; a letter nets 500 − 300 = 200 → letter
    # case 2: a visit nets 9000 − 8000 = 1000, its call 170 → visit (the teams have room for one)
    out = choose([[50, 100], [40, 35], [200, 150]], messages={"sms": [15, 0, 0], "letter": [0, 500, 0],
                                                              "visit": [0, 0, 9000]}, visit_capacity=1)
    assert sorted(out) == [(0, "call", 10), (1, "letter", None), (2, "visit", None)]


def test_call_capacity_is_respected_and_the_rest_fall_back_to_messages():
    # five cases worth calling (nets 70, 170, 270, 370, 470), one slot at each hour: the two best are called, the
    # others get their SMS where it pays (net 5 − 5 = 0 does not)
    values = [[100 * k + 100, 100 * k + 100] for k in range(5)]
    out = choose(values, slots={9: 1, 10: 1}, messages={"sms": [20, 20, 20, 20, 5]})
    calls = [(k, h) for k, ch, h in out if ch == "call"]
    assert sorted(k for k, _h in calls) == [3, 4]
    assert sorted(h for _k, h in calls) == [9, 10]
    assert sorted(k for k, ch, _h in out if ch == "sms") == [0, 1, 2]


def test_visit_capacity_falls_back_to_the_next_message():
    # three cases whose best action is a visit (nets 1000, 2000, 3000); room for one; letters net 100 each
    out = choose([[0, 0]] * 3, messages={"visit": [9000, 10000, 11000], "letter": [400, 400, 400]},
                 visit_capacity=1)
    assert sorted(out) == [(0, "letter", None), (1, "letter", None), (2, "visit", None)]


def test_never_exceeds_the_per_person_caps():
    # three debts of one person, each worth a call; the pack allows one more contact to that person today
    out = choose([[200, 200]] * 3, person=np.array([0, 0, 0]), person_cap=np.array([1]),
                 messages={"sms": [50, 50, 50]})
    assert len(out) == 1
    # a person already at the cap gets nothing, another person still gets theirs
    out = choose([[200, 200]] * 2, person=np.array([0, 1]), person_cap=np.array([0, 2]),
                 messages={"sms": [50, 50]})
    assert out == [(1, "call", 9)]


def test_complaint_budget_orders_by_net_per_risk():
    # nets 370 (risk 0.2), 170 (risk 0.01), 270 (risk 0.02); budget 0.05: by net per risk 1, 2 fit, 0 does not
    out = choose([[400, 0], [200, 0], [300, 0]], risk=np.array([0.2, 0.01, 0.02]), risk_budget=0.05)
    assert out == [(1, "call", 9), (2, "call", 9)]


def test_eligibility_keeps_messages_to_their_interval():
    out = choose([[0, 0]] * 2, messages={"sms": [50, 50]}, eligible={"sms": np.array([True, False])})
    assert out == [(0, "sms", None)]


def test_daily_call_cap_from_the_pack():
    assert nba.daily_call_cap(load_pack("cn_online_lending")) == 3
    assert nba.daily_call_cap(load_pack("cn_bank")) == 6
