"""A seeded synthetic daily history with a known signal, for the scoring tests, the benchmark and trying the
trainer without a book. Pure: no Django import.

One account per case. Each day an open case's DPD grows by one, and it pays with a daily probability that falls
with DPD and balance, rises for a few days after a conversation, and is higher for a case that has kept a promise
(and lower after a broken one) — so a trained scorecard must find descending trends in DPD and balance and an
ascending one in kept promises. A payment of the whole balance settles the account; a part payment takes 30 days
off the DPD. Outbound contacts (5 % of open cases a day; 40 % of them conversations with the debtor) and promises
(30 % of conversations, due 7 days later, kept with a probability that falls with DPD) are recorded as facts.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from concord.reports.store import HistoryStore


def daily_pay_probability(dpd, balance_fen, recent_conversation, kept, broken):
    """The signal: the probability that an open case pays on a day."""
    logit = (-3.2 - dpd / 45.0 - 0.6 * np.log10(np.maximum(balance_fen, 10_000) / 100_000)
             + 1.2 * recent_conversation + 0.8 * np.minimum(kept, 2) - 0.7 * np.minimum(broken, 2))
    return 1.0 / (1.0 + np.exp(-logit))


def write_history(root, *, cases: int = 600, days: int = 120, start: dt.date = dt.date(2026, 1, 1),
                  seed: int = 7, drift_from: int | None = None) -> HistoryStore:
    """Write ``days`` days of history for ``cases`` cases to ``root`` and return its store. From day index
    ``drift_from`` on, every balance is tripled (a population shift for the drift tests)."""
    rng = np.random.default_rng(seed)
    store = HistoryStore(root)
    n = cases
    case_id = np.arange(1, n + 1, dtype=np.int64)
    dpd = rng.integers(1, 150, n).astype(np.int64)
    balance = (np.exp(rng.normal(np.log(800_000), 0.9, n))).astype(np.int64) + 10_000
    product = rng.integers(1, 3, n).astype(np.int64)
    status = np.array(["open"] * n, dtype=object)
    last_conv = np.full(n, -999)
    kept = np.zeros(n, np.int64)
    broken = np.zeros(n, np.int64)
    promises: list[dict] = []          # open promises: id, case index, due index, amount
    next_payment = next_attempt = next_promise = 1
    for d in range(days):
        day = start + dt.timedelta(days=d)
        if drift_from is not None and d == drift_from:
            balance = balance * 3
        open_ = status == "open"
        dpd = np.where(open_, dpd + 1, dpd)
        # contacts
        contacted = open_ & (rng.random(n) < 0.05)
        conv = contacted & (rng.random(n) < 0.4)
        last_conv = np.where(conv, d, last_conv)
        idx_c = np.flatnonzero(contacted)
        contacts = {"attempt_id": np.arange(next_attempt, next_attempt + len(idx_c)), "case_id": case_id[idx_c],
                    "creditor_id": np.ones(len(idx_c), np.int64), "collector_id": np.ones(len(idx_c), np.int64),
                    "channel": ["call"] * len(idx_c), "direction": ["outbound"] * len(idx_c),
                    "party": ["debtor"] * len(idx_c),
                    "outcome": ["conversation" if c else "no_answer" for c in conv[idx_c]],
                    "hour": np.full(len(idx_c), 10), "weekday": np.full(len(idx_c), day.isoweekday())}
        next_attempt += len(idx_c)
        # payments
        p = daily_pay_probability(dpd, balance, (d - last_conv) <= 5, kept, broken)
        pays = open_ & (rng.random(n) < p)
        # promises falling due today: kept when the debtor pays by then
        events = []
        due_today = [pr for pr in promises if pr["due"] == d]
        for pr in due_today:
            i = pr["i"]
            keep_p = 0.75 * np.exp(-dpd[i] / 120.0)
            if status[i] == "open" and rng.random() < keep_p:
                pays[i] = True
                kept[i] += 1
                events.append({"promise_id": pr["id"], "case_id": case_id[i], "event": "kept",
                               "amount_fen": pr["amount"], "paid_fen": pr["amount"]})
            else:
                broken[i] += 1
                events.append({"promise_id": pr["id"], "case_id": case_id[i], "event": "broken",
                               "amount_fen": pr["amount"], "paid_fen": 0})
        promises = [pr for pr in promises if pr["due"] != d]
        for i in np.flatnonzero(conv & (rng.random(n) < 0.3)):
            amount = int(balance[i] // 4) + 100
            promises.append({"id": next_promise, "i": i, "due": d + 7, "amount": amount})
            events.append({"promise_id": next_promise, "case_id": case_id[i], "event": "made",
                           "amount_fen": amount, "paid_fen": 0})
            next_promise += 1
        idx_p = np.flatnonzero(pays)
        whole = rng.random(len(idx_p)) < 0.35
        amounts = np.where(whole, balance[idx_p], np.maximum(balance[idx_p] // 5, 100))
        paid_today = np.zeros(n, np.int64)
        paid_today[idx_p] = amounts
        balance = balance - paid_today
        settled_now = np.zeros(n, bool)
        settled_now[idx_p[whole]] = True
        status = np.where(settled_now, "settled", status)
        dpd = np.where(settled_now, 0, np.where(pays, np.maximum(dpd - 30, 0), dpd))
        payments = {"payment_id": np.arange(next_payment, next_payment + len(idx_p)), "account_id": case_id[idx_p],
                    "case_id": case_id[idx_p], "creditor_id": np.ones(len(idx_p), np.int64), "amount_fen": amounts,
                    "channel": ["bank"] * len(idx_p), "reversed": [False] * len(idx_p)}
        next_payment += len(idx_p)
        accounts = {"account_id": case_id, "case_id": case_id, "creditor_id": np.ones(n, np.int64),
                    "product_id": product, "placement_id": np.ones(n, np.int64),
                    "placed_on": [start] * n, "team_id": np.ones(n, np.int64), "collector_id": np.ones(n, np.int64),
                    "status": status.tolist(), "bucket": [_bucket(x) for x in dpd], "dpd": dpd.astype(np.int32),
                    "balance_fen": balance, "paid_fen": paid_today, "segment": [""] * n,
                    "score": np.zeros(n, np.int32), "treatment": [""] * n}
        prom_rows = {k: [e[k] for e in events] for k in ("promise_id", "case_id", "event", "amount_fen", "paid_fen")}
        prom_rows.update({"creditor_id": [1] * len(events), "collector_id": [1] * len(events),
                          "due_date": [day] * len(events)})
        store.write_day(day, {"accounts": pa.table(accounts), "payments": pa.table(payments),
                              "contacts": pa.table(contacts), "promises": pa.table(prom_rows)},
                        {"source": "synthetic", "accounts": n})
    return store


def _bucket(dpd: int) -> str:
    if dpd <= 0:
        return "M0"
    return f"M{min((int(dpd) - 1) // 30 + 1, 7)}" + ("+" if dpd > 180 else "")
