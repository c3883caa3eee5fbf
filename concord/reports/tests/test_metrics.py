"""Each report's computation on a small hand-made history whose answers are worked out by hand (no database)."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from concord.reports.metrics import Filters, contact, promises, recovery, rolls
from concord.reports.store import ACCOUNTS, FACT_TABLES, HistoryStore

D = dt.date
START, END = D(2026, 10, 1), D(2026, 11, 30)
BASE = {"product_id": 1, "placement_id": 1, "segment": None, "score": None, "treatment": None, "dpd": 0}
# account: (creditor, placed_on, team, collector, [(from day, status, bucket, balance)], {day: paid})
BOOK = {
    1: (1, D(2026, 10, 5), 10, 100, [(D(2026, 10, 5), "open", "M1", 10000), (D(2026, 10, 10), "open", "M1", 8000),
                                      (D(2026, 10, 25), "open", "M2", 8000), (D(2026, 11, 20), "settled", "M0", 0)],
        {D(2026, 10, 10): 2000, D(2026, 11, 20): 8000}),
    2: (1, D(2026, 10, 5), 10, 101, [(D(2026, 10, 5), "open", "M1", 5000), (D(2026, 11, 15), "recalled", "M2", 5000)], {}),
    3: (2, D(2026, 11, 2), 20, 200, [(D(2026, 11, 2), "open", "M0", 4000), (D(2026, 11, 25), "open", "M1", 4000)], {}),
    4: (1, D(2026, 10, 5), 10, 101, [(D(2026, 10, 5), "open", "M2", 6000), (D(2026, 10, 20), "open", "M3", 6000),
                                      (D(2026, 11, 20), "open", "M4", 6000)], {}),
}


def _fact(name, rows):
    return pa.Table.from_pylist(rows, schema=FACT_TABLES[name])


def _facts(day):
    out = {}
    call = {"case_id": 1, "creditor_id": 1, "collector_id": 100, "direction": "outbound", "party": "debtor"}
    if day == D(2026, 10, 8):  # Thursday
        out["contacts"] = _fact("contacts", [
            {**call, "attempt_id": n, "channel": "call", "outcome": o, "hour": 10, "weekday": 4}
            for n, o in enumerate(["conversation", "conversation", "no_answer"], 1)]
            + [{**call, "attempt_id": 4, "channel": "sms", "outcome": "delivered", "hour": 11, "weekday": 4}])
        out["promises"] = _fact("promises", [{"promise_id": 1, "case_id": 1, "creditor_id": 1, "collector_id": 100,
                                              "event": "made", "amount_fen": 3000, "paid_fen": 0,
                                              "due_date": D(2026, 10, 15)}])
        out["decisions"] = _fact("decisions", [
            {"decision_id": 1, "case_id": 1, "creditor_id": 1, "actor_id": 100, "channel": "call", "allowed": False,
             "rules": " CN3 "},
            {"decision_id": 2, "case_id": 1, "creditor_id": 1, "actor_id": 100, "channel": "call", "allowed": True,
             "rules": ""}])
    if day == D(2026, 10, 20):
        out["promises"] = _fact("promises", [{"promise_id": 1, "case_id": 1, "creditor_id": 1, "collector_id": 100,
                                              "event": "broken", "amount_fen": 3000, "paid_fen": 0,
                                              "due_date": D(2026, 10, 15)}])
    if day == D(2026, 11, 10):  # Tuesday
        out["contacts"] = _fact("contacts", [
            {**call, "attempt_id": n, "channel": "call", "outcome": o, "hour": 15, "weekday": 2}
            for n, o in enumerate(["conversation", "conversation", "no_answer"], 5)])
        out["promises"] = _fact("promises", [{"promise_id": 2, "case_id": 1, "creditor_id": 1, "collector_id": 100,
                                              "event": "made", "amount_fen": 8000, "paid_fen": 0,
                                              "due_date": D(2026, 11, 20)}])
        out["decisions"] = _fact("decisions", [
            {"decision_id": 3, "case_id": 1, "creditor_id": 1, "actor_id": 100, "channel": "call", "allowed": False,
             "rules": " CN3 CN7 "}])
        out["complaints"] = _fact("complaints", [{"complaint_id": 1, "case_id": 1, "creditor_id": 1,
                                                  "kind": "complaint", "category": "attitude", "severity": "low",
                                                  "status": "open"}])
    if day == D(2026, 11, 21):
        out["promises"] = _fact("promises", [{"promise_id": 2, "case_id": 1, "creditor_id": 1, "collector_id": 100,
                                              "event": "kept", "amount_fen": 8000, "paid_fen": 8000,
                                              "due_date": D(2026, 11, 20)}])
    return out


@pytest.fixture
def con(tmp_path):
    st = HistoryStore(tmp_path)
    day = D(2026, 10, 5)
    while day <= END:
        rows = []
        for acc, (cred, placed, team, coll, states, paid) in BOOK.items():
            if day < placed:
                continue
            _f, status, bucket, balance = [s for s in states if s[0] <= day][-1]
            rows.append({**BASE, "account_id": acc, "case_id": acc, "creditor_id": cred, "placed_on": placed,
                         "team_id": team, "collector_id": coll, "status": status, "bucket": bucket,
                         "balance_fen": balance, "paid_fen": paid.get(day, 0)})
        st.write_day(day, {"accounts": pa.Table.from_pylist(rows, schema=ACCOUNTS), **_facts(day)}, {"source": "test"})
        day += dt.timedelta(days=1)
    return st.connect()


def test_recovery_by_vintage(con):
    out = recovery.by_vintage(con, START, END)
    assert [(r["creditor_id"], r["month"], r["accounts"], r["placed_fen"], r["recovered_fen"]) for r in out] == [
        (1, D(2026, 10, 1), 3, 21000, 10000), (2, D(2026, 11, 1), 1, 4000, 0)]
    first = out[0]
    assert first["rate"] == round(10000 / 21000, 4)
    assert first["d30_fen"] == 2000 and first["d60_fen"] is None  # 56 days old at the end: no 60-day point yet
    assert out[1]["d30_fen"] is None  # 28 days old
    assert recovery.by_vintage(con, START, END, Filters(team_id=20))[0]["placed_fen"] == 4000


def test_recovery_by_owner_and_cash(con):
    by_collector = {r["collector_id"]: r for r in recovery.by_owner(con, START, END, "collector_id")}
    assert by_collector[100]["held_fen"] == 10000 and by_collector[100]["recovered_fen"] == 10000
    assert by_collector[100]["rate"] == 1.0
    assert by_collector[101]["held_fen"] == 11000 and by_collector[101]["rate"] == 0.0
    cash = {r["day"]: r["recovered_fen"] for r in recovery.cash_by_day(con, START, END)}
    assert cash[D(2026, 10, 10)] == 2000 and cash[D(2026, 11, 20)] == 8000 and sum(cash.values()) == 10000
    behind = recovery.accounts_behind(con, START, END)
    assert [(r["account_id"], r["recovered_fen"]) for r in behind] == [(1, 10000)]
    assert recovery.by_owner(con, START, END, "team_id", Filters(teams=(20,)))[0]["team_id"] == 20
    with pytest.raises(ValueError):
        recovery.by_owner(con, START, END, "nope")


def test_roll_rate_matrix_trend_and_cells(con):
    assert rolls.month_ends(con, START, END) == [D(2026, 10, 31), D(2026, 11, 30)]
    cells = rolls.matrix(con, START, END)
    got = [(r["from_bucket"], r["to_bucket"], r["accounts"], r["balance_fen"], r["rate"]) for r in cells]
    # account 3 was placed after the October month end: not rolled
    assert got == [("M1", "recalled", 1, 5000, 1.0), ("M2", "paid_off", 1, 8000, 1.0), ("M3", "M4", 1, 6000, 1.0)]
    trend = {(r["from_bucket"], r["to_bucket"]): r for r in rolls.trend(cells)}
    assert trend[("M1", "M2")]["roll_rate"] == 0.0 and trend[("M2", "M3")]["cure_rate"] == 1.0
    assert trend[("M3", "M4")]["roll_rate"] == 1.0
    flow = rolls.flow_through(cells)
    assert flow[0]["flow_through"] is None and flow[0]["written_off_rate"] == 0.0  # M4…M6 were empty
    behind = rolls.accounts_behind(con, D(2026, 10, 31), D(2026, 11, 30), "M2", "paid_off")
    assert [r["account_id"] for r in behind] == [1]
    assert rolls.matrix(con, START, D(2026, 10, 31)) == []  # one month end: nothing to roll


def test_promises_by_collector(con):
    out = {r["collector_id"]: r for r in promises.by_collector(con, START, END)}
    r = out[100]
    assert (r["made"], r["kept"], r["partial"], r["broken"], r["conversations"]) == (2, 1, 0, 1, 4)
    assert r["kept_rate"] == 0.5 and r["promise_rate"] == 0.5
    assert r["promised_fen"] == 11000 and r["paid_fen"] == 8000 and r["due_fen"] == 11000
    assert set(out) == {100}
    october = {x["collector_id"]: x for x in promises.by_collector(con, START, D(2026, 10, 31))}
    assert october[100]["made"] == 1 and october[100]["broken"] == 1 and october[100]["kept_rate"] == 0.0
    assert [p["event"] for p in promises.promises_behind(con, START, END, collector_id=100)] == [
        "made", "broken", "made", "kept"]
    assert promises.by_collector(con, START, END, Filters(team_id=20)) == []


def test_contact_attempts_denials_and_complaints(con):
    by_channel = {r["channel"]: r for r in contact.attempts(con, START, END)}
    assert (by_channel["call"]["attempts"], by_channel["call"]["connects"], by_channel["call"]["rpc"]) == (6, 4, 4)
    assert by_channel["sms"]["connects"] == 1 and by_channel["sms"]["rpc"] == 0
    assert by_channel["call"]["connect_rate"] == round(4 / 6, 4)
    assert {r["hour"]: r["attempts"] for r in contact.attempts(con, START, END, "hour")} == {10: 3, 11: 1, 15: 3}
    assert {r["weekday"]: r["attempts"] for r in contact.attempts(con, START, END, "weekday")} == {4: 4, 2: 3}
    assert contact.denials(con, START, END) == [{"rule": "CN3", "denials": 2}, {"rule": "CN7", "denials": 1}]
    assert contact.complaints(con, START, END) == {"complaints": 1, "contacts": 7, "per_10000": 1428.57}
    assert contact.attempts(con, START, END, filters=Filters(team_id=20)) == []


def test_recovery_by_bucket_at_placement(con):
    # accounts 1 and 2 were M1 when placed on 10-05 (10000 + 5000; account 1 paid 2000 + 8000), account 4 was M2
    # (6000, nothing paid), account 3 M0 on 11-02 (4000); later buckets (account 1's M2, account 4's M3) do not count
    out = recovery.by_placement_bucket(con, START, END)
    assert [(r["bucket"], r["accounts"], r["placed_fen"], r["recovered_fen"]) for r in out] == [
        ("M0", 1, 4000, 0), ("M1", 2, 15000, 10000), ("M2", 1, 6000, 0)]
    m1 = out[1]
    assert m1["rate"] == round(10000 / 15000, 4)
    assert m1["d30_fen"] == 2000 and m1["d60_fen"] is None  # 56 days old at the end
    assert out[0]["d30_fen"] is None  # placed 11-02: 28 days old
    # a period that places only October's accounts, and a team's
    october = recovery.by_placement_bucket(con, START, D(2026, 10, 31))
    assert [(r["bucket"], r["recovered_fen"]) for r in october] == [("M1", 2000), ("M2", 0)]
    assert [r["bucket"] for r in recovery.by_placement_bucket(con, START, END, Filters(team_id=20))] == ["M0"]
    # the buckets add up to the vintages
    assert sum(r["placed_fen"] for r in out) == sum(r["placed_fen"] for r in recovery.by_vintage(con, START, END))
