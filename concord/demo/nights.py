"""The nightly run as the demo replays it, for the nights before the end-of-day engine takes over: the run's
allocation (a case whose team no longer works its bucket moves to the team that does, to its least loaded member;
``eod.engine`` documents the rule as *bucket_change*) and the run's figures — buckets, roll rates, promises by state,
moves — as the engine's summary gives them. The ledger's accrual of those nights is ``ledger.close_through`` (the
same arithmetic), applied when a balance is read."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from concord.loans.delinquency import BUCKETS
from concord.loans.delinquency import bucket as bucket_of

from . import ledger, staffing, work
from .records import Journal, clock_at

ZERO = Decimal("0.00")
BUCKET_OF_DPD = [bucket_of(d) for d in range(200)]


def close_day(sim, day: dt.date, journal: Journal, *, replay: bool) -> None:
    """The night of ``day``. ``replay``: the seeder's own run (allocation and the run's figures; the ledger's
    accrual is ``ledger.close_through``, done lazily); otherwise the real run happens in the database and only
    the figures the simulation keeps are brought forward."""
    buckets, roll = Counter(), Counter()
    accounts = 0
    oldest_of, eod_bucket = sim.oldest, sim.eod_bucket
    for case in sim.held:
        dpd_max = None
        for account in case.work.held:
            key = id(account)
            oldest = oldest_of.get(key)
            dpd = (day - oldest).days if oldest is not None and oldest < day else 0
            b = BUCKET_OF_DPD[dpd] if dpd < len(BUCKET_OF_DPD) else "M7+"
            prev = eod_bucket.get(key, account.bucket)
            eod_bucket[key] = b
            buckets[b] += 1
            roll[(prev, b)] += 1
            accounts += 1
            if account.status == ledger.OPEN:
                dpd_max = dpd if dpd_max is None else max(dpd_max, dpd)
        if not replay or case.status not in ("new", "open", "on_hold") or case.collector is None:
            continue
        case_bucket = bucket_of(dpd_max or 0)
        team = case.team
        if team.buckets and case_bucket not in team.buckets and case_bucket != "M0":
            journal.moves.append(sim.assign(case, staffing.TEAM_FOR_BUCKET[case_bucket],
                                            "eod-replay:bucket_change", clock_at(day, dt.time(23, 30))))
    if not replay:
        return
    totals = Counter()
    for (prev, _b), n in roll.items():
        totals[prev] += n
    states = Counter({"pending": 0, "kept": 0, "partially_kept": 0, "broken": 0})
    for promise in sim.promises:
        if promise.made_at.date() > day or promise.status == "superseded":
            continue
        paid = sum((p.amount for p in promise.case.work.payments
                    if promise.made_at.date() <= p.paid_at.date() <= min(day, promise.window_end)), ZERO)
        state = work.promise_status(promise.amount, paid, promise.due_date, promise.grace_days, day)
        states["partially_kept" if state == "partial" else state] += 1
    moves = Counter(m.reason.split(":", 1)[1] for m in journal.moves if m.reason.startswith("eod-replay:"))
    journal.summary = {
        "as_of": day.isoformat(), "engine": "replay", "accounts": accounts,
        "cases": len(sim.held), "buckets": {b: buckets.get(b, 0) for b in BUCKETS},
        "roll_rates": [[prev, b, n, (n * 20000 + totals[prev]) // (2 * totals[prev])]
                       for (prev, b), n in sorted(roll.items())],
        "promises": dict(states), "moves": dict(moves), "queue": {},
        "notes": ["演示数据的历史日终：由 concord seed 按账务纯函数逐日重放（计息、逾期天数、账龄、分案），"
                  "未经日终引擎计算，无联系队列。",
                  "Demo history: this night was replayed by concord seed with the ledger's pure functions "
                  "(accrual, DPD, buckets, allocation), not computed by the end-of-day engine; it made no "
                  "contact queue."]}
