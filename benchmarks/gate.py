"""Benchmark of the compliance gate's pure evaluation (no database).

    .venv/bin/python benchmarks/gate.py [--seconds 2] [--people 200]

Realistic histories: per person 30 days of activity, about 50 events (calls on two or three numbers with their
outcomes, SMS, e-mails, a visit, an inbound conversation, a few state changes: 失联, a consent, a hold that was
released), two debts and three related parties; requests are calls, SMS and e-mails to the debtor and now and
then to a third party, at daytime and evening instants of the last day. Runs on one core (CPU affinity pinned
where the OS allows) and prints decisions per second for each pack, with the history indexed once per person
(the end-of-day run, replay) and with the index built for every decision (the live gate's worst case).

    .venv/bin/python benchmarks/gate.py --live [--decisions 2000] [--people 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_cmp .venv/bin/python benchmarks/gate.py --live

``--live`` measures the live gate, ``services.decide_contact``, end to end: reading the person's ledger and state
from the database, the creditor's pack, the collector's qualification, the pure evaluation, storing the decision
and its audit event. It creates a throw-away test database (``test_<name>``, dropped afterwards; in memory for
SQLite), books ``--people`` debtors at two creditors (cn_bank, cn_online_lending), each with a 30-day ledger of
about 50 rows (calls on two numbers with their outcomes, SMS, e-mails, a visit, an inbound conversation) and a
released hold and a consent, then times ``--decisions`` decisions (calls, SMS, e-mails at daytime and evening
instants) one by one and prints p50 / p95 / p99 latency in milliseconds (target p95 < 5 ms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from concord.compliance.gate import evaluate  # noqa: E402
from concord.compliance.history import History  # noqa: E402
from concord.compliance.model import ContactEvent, Request, StateEvent, number_key, to_us  # noqa: E402
from concord.compliance.packs import PACK_NAMES, load_pack  # noqa: E402

ZONES = {"cn_online_lending": "Asia/Shanghai", "cn_bank": "Asia/Shanghai", "us_reg_f": "America/Chicago",
         "uk_conc": "Europe/London"}
PARTIES = {"T1": "friend", "G1": "guarantor", "S1": "spouse"}
OUTCOMES = ["no_answer"] * 5 + ["busy", "voicemail", "voicemail", "conversation", "failed", "third_party"]


def person(rng: random.Random, tz: ZoneInfo, now: dt.datetime):
    numbers = [f"+86138{rng.randrange(10**8):08d}" for _ in range(rng.choice((2, 3)))]
    events = []

    def when(days_back: float) -> dt.datetime:
        day = (now - dt.timedelta(days=days_back)).date()
        return dt.datetime.combine(day, dt.time(rng.randrange(8, 21), rng.randrange(60)), tz)

    for _ in range(rng.randrange(34, 42)):                    # calls over 30 days
        t = when(rng.uniform(0, 30))
        events.append(ContactEvent(t, to_us(t), "call", "outbound", rng.choice(["P1"] * 6 + ["G1"]),
                                   (rng.choice(["D1", "D1", "D2"]),), n := rng.choice(numbers),
                                   rng.choice(OUTCOMES), key=number_key(n)))
    for _ in range(rng.randrange(5, 9)):                      # SMS and e-mails
        t = when(rng.uniform(0, 30))
        events.append(ContactEvent(t, to_us(t), rng.choice(["sms", "email"]), "outbound", "P1", ("D1",),
                                   None, "delivered"))
    t = when(rng.uniform(0, 30))
    events.append(ContactEvent(t, to_us(t), "call", "inbound", "P1", ("D1", "D2"), numbers[0], "conversation",
                               key=number_key(numbers[0])))
    t = when(rng.uniform(0, 30))
    events.append(ContactEvent(t, to_us(t), "visit", "outbound", "P1", ("D1",), None, "delivered"))
    t0 = when(rng.uniform(10, 30))
    events += [StateEvent(t0, to_us(t0), "lost_contact", party="P1"),
               StateEvent(t0 + dt.timedelta(days=2), to_us(t0 + dt.timedelta(days=2)), "contact_restored",
                          party="P1"),
               StateEvent(t0, to_us(t0), "hold", kind="complaint", debts=("D2",)),
               StateEvent(t0 + dt.timedelta(days=5), to_us(t0 + dt.timedelta(days=5)), "hold_released",
                          kind="complaint", debts=("D2",)),
               StateEvent(t0, to_us(t0), "consent", party="P1", channel="call", scope="hours",
                          until_us=to_us(t0 + dt.timedelta(days=3)))]
    requests = []
    for _ in range(50):
        party = rng.choice(["P1"] * 8 + ["G1", "T1"])
        channel = rng.choice(["call"] * 6 + ["sms", "email"])
        t = dt.datetime.combine(now.date(), dt.time(rng.randrange(7, 23), rng.randrange(60)), tz)
        requests.append((Request(channel, (rng.choice(["D1", "D2"]),), party,
                                 "location" if party == "T1" else "collection",
                                 number=rng.choice(numbers) if channel == "call" else None), t))
    return events, requests


def run(pack_name: str, people: int, seconds: float, rebuild: bool):
    pack, tz = load_pack(pack_name), ZoneInfo(ZONES[pack_name])
    rng = random.Random(7)
    now = dt.datetime(2026, 6, 30, 12, tzinfo=tz)
    book = [person(rng, tz, now) for _ in range(people)]
    histories = [History("P1", tz, PARTIES, events) for events, _ in book]
    n = allowed = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for (events, requests), history in zip(book, histories):
            for request, at in requests:
                if rebuild:
                    history = History("P1", tz, PARTIES, events)
                allowed += evaluate(request, at, history, pack).allowed
            n += len(requests)
    elapsed = time.perf_counter() - start
    return n / elapsed, allowed / n, sum(len(e) for e, _ in book) / people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement (default 2)")
    parser.add_argument("--people", type=int, default=200, help="distinct histories (default 200)")
    parser.add_argument("--live", action="store_true", help="measure the live gate on the database instead")
    parser.add_argument("--decisions", type=int, default=2000, help="live decisions to time (default 2000)")
    args = parser.parse_args()
    if args.live:
        from live_gate import run_live  # noqa: PLC0415 (benchmarks/live_gate.py)
        return run_live(args.people, args.decisions)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"Compliance gate, pure evaluation, one core; {args.people} people, 50 requests each, 30-day histories")
    print(f"{'pack':<20}{'events/person':>14}{'allowed':>9}{'decisions/s':>14}{'  (index per decision)':>24}")
    rates = []
    for name in PACK_NAMES:
        rate, share, events = run(name, args.people, args.seconds, rebuild=False)
        rebuilt, _, _ = run(name, args.people, args.seconds / 2, rebuild=True)
        rates.append(rate)
        print(f"{name:<20}{events:>14.1f}{share:>9.0%}{rate:>14,.0f}{rebuilt:>24,.0f}")
    print(f"slowest pack: {min(rates):,.0f} decisions/s (target ≥ 20,000)")
    print("live gate latency (database): benchmarks/gate.py --live")


if __name__ == "__main__":
    main()
