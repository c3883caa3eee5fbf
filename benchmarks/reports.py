"""The reports' daily history at scale: a synthetic book of N accounts × D days written through the history store
(``concord.reports.store``, the path the end-of-day run uses), its size on disk, and the p95 time of each report's
query (``concord.reports.metrics``, and the scorecard's counts ``concord.quality.history``) over periods of 30, 90 and 365 days, with and without a creditor or team filter.

    .venv/bin/python benchmarks/reports.py --accounts 1000000 --days 365 --dir /tmp/reports-bench
    .venv/bin/python benchmarks/reports.py --dir /tmp/reports-bench --no-write      # query an existing history

Targets (issue 17): p95 < 1 s for every report query, history ≤ 2 GB on disk at 1 M accounts × 365 days.
No Django: the generator and the queries are plain DuckDB / pyarrow / numpy.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from concord.reports.metrics import Filters, contact, promises, recovery, rolls  # noqa: E402
from concord.reports.store import ACCOUNTS, FACT_TABLES, HistoryStore  # noqa: E402
from concord.quality import history as quality_history  # noqa: E402

BUCKET_EDGES = np.array([1, 31, 61, 91, 121, 151, 181])
BUCKETS = np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"], dtype=object)
SEGMENTS = np.array(["early", "early_self_cure", "mid", "late", "hardship"], dtype=object)
CHANNELS = np.array(["call", "sms"], dtype=object)
OUTCOMES = np.array(["conversation", "no_answer", "busy", "third_party", "delivered"], dtype=object)


class Book:
    """The synthetic book: fixed per-account attributes, and each day derived from them deterministically."""

    def __init__(self, n: int, days: int, start: dt.date, seed: int = 7):
        rng = np.random.default_rng(seed)
        self.n, self.start, self.days = n, start, days
        self.account_id = np.arange(1, n + 1, dtype=np.int64)
        self.case_id = (self.account_id + 1) // 2 * 1  # about two accounts a case
        self.creditor_id = rng.integers(1, 11, n)
        self.product_id = self.creditor_id * 10 + rng.integers(0, 3, n)
        # placements every two weeks over the year before and during the period
        self.placed_offset = rng.integers(-180, days, n)
        self.placement_id = (self.placed_offset + 200) // 14 + 1000 * self.creditor_id
        self.team_id = rng.integers(1, 21, n)
        self.collector_id = self.team_id * 100 + rng.integers(0, 40, n)
        self.balance0 = rng.integers(50_000, 5_000_000, n)
        self.dpd0 = rng.integers(1, 200, n)
        self.pay_day = rng.integers(0, 60, n)  # the day of the month (cycle) an account tends to pay
        self.pays = rng.random(n) < 0.25
        self.segment = SEGMENTS[rng.integers(0, len(SEGMENTS), n)]
        self.score = rng.integers(300, 800, n).astype(np.int32)

    def day(self, k: int) -> pa.Table:
        day = self.start + dt.timedelta(days=k)
        live = self.placed_offset <= k
        age = k - self.placed_offset
        paying = self.pays & live & (age >= 0) & (age % 60 == self.pay_day)
        paid = np.where(paying, self.balance0 // 20, 0)
        n_paid = np.where(self.pays, np.maximum(age - self.pay_day, 0) // 60 + 1, 0)
        n_paid = np.where(age >= self.pay_day, n_paid, 0)
        balance = np.maximum(self.balance0 - np.where(self.pays, n_paid * (self.balance0 // 20), 0), 0)
        dpd = np.where(self.pays & (age % 60 < 30), 0, self.dpd0 + np.maximum(age, 0)).astype(np.int32)
        bucket = BUCKETS[np.searchsorted(BUCKET_EDGES, dpd, side="right")]
        status = np.where(balance == 0, "settled", np.where(age > 300, "recalled", "open")).astype(object)
        idx = np.nonzero(live)[0]
        placed_on = np.array([self.start], dtype="datetime64[D]") + self.placed_offset.astype("timedelta64[D]")
        cols = {"account_id": self.account_id, "case_id": self.case_id, "creditor_id": self.creditor_id,
                "product_id": self.product_id, "placement_id": self.placement_id, "placed_on": placed_on,
                "team_id": self.team_id, "collector_id": self.collector_id, "status": status, "bucket": bucket,
                "dpd": dpd, "balance_fen": balance, "paid_fen": paid, "segment": self.segment, "score": self.score,
                "treatment": self.segment}
        return pa.Table.from_arrays([pa.array(cols[f.name][idx]).cast(f.type) for f in ACCOUNTS], schema=ACCOUNTS), day

    def facts(self, k: int, accounts: pa.Table) -> dict[str, pa.Table]:
        rng = np.random.default_rng(k)
        m = max(1, self.n // 10)  # contacts: about one account in ten a day
        who = rng.integers(0, self.n, m)
        contacts = {"attempt_id": np.arange(m, dtype=np.int64) + k * m, "case_id": self.case_id[who],
                    "creditor_id": self.creditor_id[who], "collector_id": self.collector_id[who],
                    "channel": CHANNELS[rng.integers(0, 2, m)], "direction": np.full(m, "outbound", dtype=object),
                    "party": np.full(m, "debtor", dtype=object), "outcome": OUTCOMES[rng.integers(0, 5, m)],
                    "hour": rng.integers(9, 21, m).astype(np.int32),
                    "weekday": np.full(m, (self.start + dt.timedelta(days=k)).isoweekday(), dtype=np.int32)}
        p = max(1, m // 20)
        pw = who[:p]
        events = np.array(["made", "kept", "partial", "broken"], dtype=object)[rng.integers(0, 4, p)]
        promises_t = {"promise_id": np.arange(p, dtype=np.int64) + k * p, "case_id": self.case_id[pw],
                      "creditor_id": self.creditor_id[pw], "collector_id": self.collector_id[pw], "event": events,
                      "amount_fen": self.balance0[pw] // 10, "paid_fen": np.where(events == "kept", self.balance0[pw] // 10, 0),
                      "due_date": np.full(p, np.datetime64(self.start + dt.timedelta(days=k + 7)))}
        d = max(1, m // 200)
        decisions = {"decision_id": np.arange(d, dtype=np.int64) + k * d, "case_id": self.case_id[who[:d]],
                     "creditor_id": self.creditor_id[who[:d]], "actor_id": self.collector_id[who[:d]],
                     "channel": np.full(d, "call", dtype=object), "allowed": np.zeros(d, dtype=bool),
                     "rules": np.array([" CN3 ", " CN5 ", " CN6 CN7 "], dtype=object)[rng.integers(0, 3, d)]}
        paying = accounts.filter(pa.compute.greater(accounts["paid_fen"], 0))
        payments = {"payment_id": np.arange(paying.num_rows, dtype=np.int64) + k * self.n,
                    "account_id": paying["account_id"], "case_id": paying["case_id"],
                    "creditor_id": paying["creditor_id"], "amount_fen": paying["paid_fen"],
                    "channel": np.full(paying.num_rows, "alipay", dtype=object),
                    "reversed": np.zeros(paying.num_rows, dtype=bool)}

        def table(name, cols):
            schema = FACT_TABLES[name]
            return pa.Table.from_arrays([pa.array(cols[f.name]).cast(f.type) if not isinstance(cols[f.name], pa.ChunkedArray)
                                         else cols[f.name].cast(f.type) for f in schema], schema=schema)
        return {"contacts": table("contacts", contacts), "promises": table("promises", promises_t),
                "decisions": table("decisions", decisions), "payments": table("payments", payments)}


def write(book: Book, st: HistoryStore) -> float:
    t0 = time.perf_counter()
    for k in range(book.days):
        accounts, day = book.day(k)
        st.write_day(day, {"accounts": accounts, **book.facts(k, accounts)}, {"source": "synthetic"})
        st.compact_before(day)  # as the end-of-day run does: a closed month becomes one sorted file per table
        if (k + 1) % 30 == 0 or k + 1 == book.days:
            print(f"  wrote day {k + 1}/{book.days} ({time.perf_counter() - t0:.0f} s, "
                  f"{st.size_bytes() / 1e9:.2f} GB)", flush=True)
    st.compact_before(book.start + dt.timedelta(days=book.days + 31))
    return time.perf_counter() - t0


def queries(last: dt.date):
    """(label, function of a connection) for each report query, over periods ending on the last day."""
    out = []
    for days in (30, 90, 365):
        start = last - dt.timedelta(days=days - 1)
        for label, f in (("all", Filters()), ("creditor", Filters(creditor_id=3)), ("team", Filters(teams=(7,)))):
            tag = f"{days:>3}d {label:<8}"
            out += [
                (f"recovery.by_vintage   {tag}", lambda c, s=start, f=f: recovery.by_vintage(c, s, last, f)),
                (f"recovery.by_pl_bucket {tag}", lambda c, s=start, f=f: recovery.by_placement_bucket(c, s, last, f)),
                (f"recovery.by_owner     {tag}", lambda c, s=start, f=f: recovery.by_owner(c, s, last, "collector_id", f)),
                (f"recovery.cash_by_day  {tag}", lambda c, s=start, f=f: recovery.cash_by_day(c, s, last, f)),
                (f"rolls.matrix          {tag}", lambda c, s=start, f=f: rolls.matrix(c, s, last, f)),
                (f"promises.by_collector {tag}", lambda c, s=start, f=f: promises.by_collector(c, s, last, f)),
                (f"contact.attempts      {tag}", lambda c, s=start, f=f: contact.attempts(c, s, last, "hour", f)),
                (f"contact.denials       {tag}", lambda c, s=start, f=f: contact.denials(c, s, last, f)),
                (f"scorecard.collectors  {tag}",
                 lambda c, s=start, f=f: quality_history.counts(c, s, last, "collector_id", f)),
                (f"scorecard.teams       {tag}", lambda c, s=start, f=f: quality_history.counts(c, s, last, "team_id", f)),
            ]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--dir", default="/tmp/concord-reports-bench")
    ap.add_argument("--rounds", type=int, default=5, help="runs of each query (p95 of these)")
    ap.add_argument("--no-write", action="store_true", help="query the history already in --dir")
    args = ap.parse_args(argv)
    root = Path(args.dir)
    st = HistoryStore(root)
    start = dt.date(2025, 12, 7)
    if not args.no_write:
        shutil.rmtree(root, ignore_errors=True)
        print(f"writing {args.accounts:,} accounts × {args.days} days to {root} …", flush=True)
        seconds = write(Book(args.accounts, args.days, start), st)
        print(f"written in {seconds:.0f} s")
    t0 = time.perf_counter()
    snapped = st.snapshot_month_ends()  # a history compacted before the month-end snapshots existed gets them
    if snapped:
        print(f"month-end snapshots written for {len(snapped)} months in {time.perf_counter() - t0:.1f} s")
    days = st.days()
    size = st.size_bytes()
    rows = st.connect().execute("SELECT count(*) FROM accounts").fetchone()[0]
    print(f"history: {len(days)} days, {rows:,} account-days, {size / 1e9:.2f} GB on disk "
          f"({size / max(rows, 1):.1f} bytes per account-day); load average {os.getloadavg()[0]:.1f}")
    con = st.connect()
    worst = 0.0
    for label, fn in queries(days[-1]):
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            fn(con)
            times.append(time.perf_counter() - t0)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        worst = max(worst, p95)
        print(f"  {label}  p95 {p95:6.3f} s  (median {statistics.median(times):.3f} s)", flush=True)
    print(f"slowest p95 {worst:.3f} s (target < 1 s); size {size / 1e9:.2f} GB (target ≤ 2 GB); "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
