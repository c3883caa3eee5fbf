"""Property tests: random histories and request sequences played through the gate with ``then``.

Whatever the history and the requests, no allowed contact breaks an hour window, a cap, a hold, a cease, a death
or a third-party limit. The checker below is written independently of the gate: it re-reads the scenario's own
dictionaries with plain datetimes and loops, without the gate's indexes, ordinals or state snapshots.
Also: decisions do not depend on the offset times are written in, nor on the order of history events.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concord.compliance.scenario import decide, parse

PACK_TZ = {"cn_online_lending": "Asia/Shanghai", "cn_bank": "Asia/Shanghai", "us_reg_f": "America/Chicago",
           "uk_conc": "Europe/London"}
HOURS = {"cn_online_lending": (dt.time(8), dt.time(22), False), "cn_bank": (dt.time(8), dt.time(22), False),
         "us_reg_f": (dt.time(8), dt.time(21), True), "uk_conc": (dt.time(8), dt.time(21), True)}
PARTIES = [("T1", "friend"), ("G1", "guarantor"), ("S1", "spouse")]
NUMBERS = ["+8613800000001", "+8613800000002"]
CALL_OUTCOMES = ["no_answer", "busy", "voicemail", "conversation", "third_party", "wrong_number", "failed"]
LIKELY = CALL_OUTCOMES + ["conversation", "conversation", "no_answer", "no_answer", "busy"]
PROPS = settings(max_examples=120, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# -- generating scenarios ---------------------------------------------------------------------------------------
@st.composite
def scenarios(draw, policy=None, dense=False):
    """A random scenario; ``dense``: many daytime calls to the debtor on one or two days, few state events, so
    that the caps are reached."""
    policy = policy or draw(st.sampled_from(sorted(PACK_TZ)))
    tz = ZoneInfo(PACK_TZ[policy])
    base = dt.datetime(2026, 6, 1, tzinfo=tz)
    daytime = st.one_of(st.integers(7 * 60 + 50, 22 * 60 + 10), st.integers(7 * 60 + 50, 22 * 60 + 10),
                        st.integers(0, 1439))
    minutes = st.builds(lambda day, m: day * 1440 + m, st.integers(-6, 1), daytime)
    check_minutes = st.builds(lambda day, m: day * 1440 + m, st.integers(0, 1),
                              st.integers(8 * 60, 20 * 60 + 59) if dense else daytime)
    utc = draw(st.booleans())

    def at(m):
        t = base + dt.timedelta(minutes=m)
        return (t.astimezone(dt.timezone.utc) if utc else t).isoformat()

    debt = st.sampled_from(["D1", "D2", None])
    history = []
    for _ in range(draw(st.integers(0, 40))):
        channel = draw(st.sampled_from(["call", "call", "call", "sms", "visit"]))
        history.append({"at": at(draw(minutes)), "channel": channel,
                        "direction": draw(st.sampled_from(["outbound", "outbound", "inbound"])),
                        "debt": draw(st.sampled_from(["D1", "D2", ["D1", "D2"]])),
                        "party": draw(st.sampled_from(["P1", "P1", "P1", "G1", "S1", "T1"])),
                        "number": draw(st.sampled_from(NUMBERS)),
                        "outcome": draw(st.sampled_from(LIKELY if channel == "call" else
                                                        ["delivered", "failed", "conversation"]))})
    for _ in range(draw(st.integers(0, 2 if dense else 6))):
        kind = draw(st.sampled_from(["consent"] if dense else [
            "hold", "hold", "hold_released", "lost_contact", "contact_restored", "third_party_refused", "cease",
            "consent", "consent", "deceased"]))
        m = draw(minutes)
        e = {"at": at(m), "event": kind}
        if kind in ("hold", "hold_released"):
            e["kind"] = draw(st.sampled_from(["complaint", "dispute", "breathing_space", "arrangement", "legal"]))
            e["debt"] = draw(debt)
            if kind == "hold" and draw(st.booleans()):
                e["until"] = at(m + draw(st.integers(1, 3000)))
        elif kind in ("lost_contact", "contact_restored"):
            e["party"] = "P1"
        elif kind == "third_party_refused":
            e["party"] = "T1"
        elif kind == "cease":
            e.update(party=draw(st.sampled_from(["P1", "G1"])), channel=draw(st.sampled_from(["call", "sms", None])),
                     debt=draw(debt))
        elif kind == "consent":
            e.update(party=draw(st.sampled_from(["P1", "S1"])), channel=draw(st.sampled_from(["call", None])),
                     scope=draw(st.sampled_from(["hours", "frequency", "all"])),
                     debt=draw(st.sampled_from(["D1", None])),
                     until=at(m + draw(st.integers(1, 12 * 1440))))
        else:
            e["party"] = draw(st.sampled_from(["G1", "S1"]))
        history.append(e)
    checks = []
    for _ in range(draw(st.integers(1, 50))):
        channel = "call" if dense else draw(st.sampled_from(["call", "call", "call", "call", "sms", "email", "visit"]))
        request = {"channel": channel, "debt": draw(st.sampled_from(["D1", "D2"])),
                   "party": draw(st.sampled_from(["P1", "P1", "P1", "G1"] if dense else
                                                 ["P1", "P1", "P1", "P1", "G1", "S1", "T1"])),
                   "purpose": draw(st.sampled_from(["collection", "collection", "collection", "location", "service"])),
                   "number": draw(st.sampled_from(NUMBERS))}
        if channel == "visit":
            request["agents"] = 2
        then = draw(st.sampled_from(LIKELY + [None])) if channel == "call" else \
            draw(st.sampled_from(["delivered", "failed", None]))
        checks.append({"at": at(draw(check_minutes)), "request": request, "expect": None, "then": then})
    return {"name": "property", "policy": policy, "debtor": {"id": "P1", "timezone": PACK_TZ[policy]},
            "debts": [{"id": "D1", "creditor": "C1"}, {"id": "D2", "creditor": "C2"}],
            "parties": [{"id": p, "relation": r} for p, r in PARTIES], "history": history, "checks": checks}


# -- the independent checker ------------------------------------------------------------------------------------
def _t(text):
    return dt.datetime.fromisoformat(text)


def _debts(value):
    return {"D1", "D2"} if value is None else ({value} if isinstance(value, str) else set(value))


def violations(data: dict, decisions) -> list[str]:
    """Every way an allowed check of the replayed scenario breaks a rule, checked on the final history."""
    policy, tz = data["policy"], ZoneInfo(data["debtor"]["timezone"])
    us = policy == "us_reg_f"
    third = {"T1"} | (set() if us else {"S1"})
    states = sorted((e for e in data["history"] if "event" in e), key=lambda e: _t(e["at"]))
    contacts = [dict(e, _at=_t(e["at"])) for e in data["history"] if "event" not in e]
    order = sorted(range(len(data["checks"])), key=lambda i: (_t(data["checks"][i]["at"]), i))
    found = []
    for i in order:
        c, d = data["checks"][i], decisions[i]
        t, r = _t(c["at"]), c["request"]
        if d.allowed:
            seen = [e for e in contacts if e["_at"] <= t]
            visible = [e for e in states if _t(e["at"]) <= t]
            found += [f"check {i}: {p}" for p in _check(policy, tz, us, third, t, r, seen, visible)]
            if c["then"] is not None:
                contacts.append({"_at": t, "channel": r["channel"], "direction": "outbound", "debt": r["debt"],
                                 "party": r["party"], "number": r["number"], "outcome": c["then"]})
    return found


def _consent(visible, r, t, scopes, channel, us, debt=None):
    for e in visible:
        if e["event"] != "consent" or e["party"] != r["party"] or e.get("scope", "all") not in scopes:
            continue
        if e.get("channel") not in (None, channel):
            continue
        if e.get("debt") is not None and (debt or r["debt"]) != e["debt"]:
            continue
        end = _t(e["until"])
        if us:
            end = min(end, _t(e["at"]) + dt.timedelta(days=7))
        if _t(e["at"]) <= t < end:
            return True
    return False


def _check(policy, tz, us, third, t, r, seen, visible):
    local = t.astimezone(tz)
    start, end, inclusive = HOURS[policy]
    clock = local.timetz().replace(tzinfo=None)
    if not (start <= clock and (clock <= end if inclusive else clock < end)):
        if not _consent(visible, r, t, ("hours", "all"), r["channel"], us):
            yield f"outside the hours at {local}"
    # holds, in order, with releases
    holds = []
    for e in visible:
        if e["event"] == "hold":
            holds.append(e)
        elif e["event"] == "hold_released":
            holds = [h for h in holds if not (h["kind"] == e["kind"] and (e["debt"] is None or h["debt"] == e["debt"]))]
    if r["purpose"] != "service":
        for h in holds:
            if (h.get("until") is None or t < _t(h["until"])) and r["debt"] in _debts(h["debt"]):
                yield f"during a {h['kind']} hold"
        for e in visible:
            if e["event"] == "cease" and e["party"] in ("P1", r["party"]) and e["channel"] in (None, r["channel"]) \
                    and r["debt"] in _debts(e["debt"]):
                yield "after a cease"
    if any(e["event"] == "deceased" and e["party"] == r["party"] for e in visible):
        yield "to a deceased person"
    if r["party"] in third:
        lost = False
        for e in visible:
            if e["event"] in ("lost_contact", "contact_restored"):
                lost = e["event"] == "lost_contact"
        if r["purpose"] != "location" or not lost:
            yield "a third party without 失联 or not to locate"
        if any(e["event"] == "third_party_refused" and e["party"] == r["party"] for e in visible):
            yield "a third party who refused"
        if us and any(e["party"] == r["party"] and e["direction"] == "outbound"
                      and e["outcome"] in ("third_party", "conversation") for e in seen):
            yield "a second location contact"
    if r["channel"] != "call":
        return
    day = local.date()
    calls = [e for e in seen if e["channel"] == "call" and e["direction"] == "outbound"]
    today = [e for e in calls if e["_at"].astimezone(tz).date() == day]
    if policy == "cn_online_lending":
        n = sum(1 for e in today if e["party"] == r["party"] and e["outcome"] == "conversation")
        if n >= 3:
            yield f"a fourth connected call ({n} before)"
    if policy == "cn_bank" and not _consent(visible, r, t, ("frequency", "all"), "call", us):
        n = sum(1 for e in today if e["number"] == r["number"]
                and e["outcome"] in ("no_answer", "busy", "voicemail", "failed"))
        if n >= 6:
            yield f"a seventh unanswered attempt ({n} before)"
    if us and not _consent(visible, r, t, ("frequency", "all"), "call", us):
        week = [e for e in seen if e["party"] == r["party"] and r["debt"] in _debts(e["debt"])
                and 0 <= (day - e["_at"].astimezone(tz).date()).days <= 6]
        if any(e["outcome"] == "conversation" for e in week):
            yield "a call within seven days of a conversation"
        n = sum(1 for e in week if e["channel"] == "call" and e["direction"] == "outbound"
                and e["outcome"] in ("no_answer", "voicemail", "conversation", "third_party", "wrong_number")
                and not _consent(visible, r, e["_at"], ("frequency", "all"), "call", us, r["debt"]))
        if n >= 7:
            yield f"an eighth call in seven days ({n} before)"


# -- properties -------------------------------------------------------------------------------------------------
@PROPS
@given(scenarios())
def test_no_allowed_contact_breaks_a_rule(data):
    decisions = decide(parse(data))
    assert violations(data, decisions) == []


@PROPS
@given(scenarios(dense=True))
def test_no_allowed_call_breaks_a_cap(data):
    decisions = decide(parse(data))
    assert violations(data, decisions) == []


@PROPS
@given(scenarios(), st.sampled_from(["+00:00", "-05:00", "+08:00", "+05:30"]), st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_offsets_or_history_order(data, offset, rnd: random.Random):
    expected = [(d.decision, d.rules) for d in decide(parse(data))]
    tz = dt.timezone(dt.timedelta(hours=int(offset[:3]), minutes=int(offset[0] + offset[4:])))
    moved = json.loads(json.dumps(data))
    for item in moved["history"] + moved["checks"]:
        for key in ("at", "until"):
            if item.get(key):
                item[key] = _t(item[key]).astimezone(tz).isoformat()
    # shuffle history while keeping the file order of events at the same instant
    groups: dict = {}
    for e in moved["history"]:
        groups.setdefault(_t(e["at"]), []).append(e)
    keys = list(groups)
    rnd.shuffle(keys)
    moved["history"] = [e for k in keys for e in groups[k]]
    assert [(d.decision, d.rules) for d in decide(parse(moved))] == expected
