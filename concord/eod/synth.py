"""A realistic synthetic end-of-day snapshot of any size, generated with vectorised numpy. Pure: no Django import.

Distributions follow the demo portfolio (``concord.demo.portfolio``): a bank card book (45% of debtors, pack
``cn_bank``) and two online lending platforms (30% / 25%, pack ``cn_online_lending``); 5% of debtors owe a
second creditor; 6% of card cases hold two cards, 14% / 4% of loan cases two / three loans; accounts over the
buckets M1…M7+ weighted 28/18/14/10/8/7/15 with DPD kept off the bucket edges; loans of 3–24 months (等额本金-like
schedules in whole fen), ¥1 000–50 000; cards with ¥2 000–80 000 overdue. 40% of accounts have posted payment
history, 3% an unposted payment for the as-of date; 15% of cases a promise, 2% an arrangement, 1% of debtors a
hold; collectors in four teams (early, middle, late, field) at ~800 cases each; 95% of cases assigned.
Posted payments are history only (the instalments' paid columns already hold what was repaid).

A book larger than one chunk (``CHUNK_ACCOUNTS``) is made of independent chunks (each with its own cases, people
and collectors, ids following on), so :func:`write_snapshot` writes any size in bounded memory, one Parquet file
per chunk and table (``<table>/part-NNNN.parquet``); up to one chunk, ``<table>.parquet`` files.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq

from .schema import INPUT_TABLES

BUCKET_WEIGHTS = np.array([28, 18, 14, 10, 8, 7, 15], float)
BUCKET_NAMES = np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"])
CREDITORS = [(1, "cn_bank", "credit_card", 0.45), (2, "cn_online_lending", "online_loan", 0.30),
             (3, "cn_online_lending", "online_loan", 0.25)]
TEAMS = [(1, "M0,M1,M2", ""), (2, "M3,M4", ""), (3, "M5,M6,M7+", ""), (4, "M4,M5,M6,M7+", "field")]
EPOCH = np.datetime64("1970-01-01", "D")
CHUNK_ACCOUNTS = 1_000_000
SHARED_TABLES = ("creditors", "products", "teams")  # the same in every chunk: written once


def _table(name: str, cols: dict) -> pa.Table:
    sch = INPUT_TABLES[name][0]
    return pa.Table.from_arrays([pa.array(cols[f.name], f.type) if not isinstance(cols[f.name], pa.Array)
                                 else cols[f.name].cast(f.type) for f in sch], schema=sch)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def _bucket_of(dpd: np.ndarray) -> np.ndarray:
    return BUCKET_NAMES[np.minimum((dpd + 29) // 30, 7)]


def _chunk_sizes(accounts: int) -> list[int]:
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    full, rest = divmod(accounts, CHUNK_ACCOUNTS)
    return [CHUNK_ACCOUNTS] * full + ([rest] if rest else [])


def _chunks(accounts: int, seed: int, as_of: dt.date):
    ids = {"account": 0, "case": 0, "payment": 0, "promise": 0, "arrangement": 0, "collector": 0}
    for i, size in enumerate(_chunk_sizes(accounts)):
        rng = np.random.default_rng(seed if i == 0 else [seed, i])
        tables = _snapshot_chunk(size, rng, as_of, ids)
        for key, table, col in (("account", "accounts", "account_id"), ("case", "cases", "case_id"),
                                ("payment", "payments", "payment_id"), ("promise", "promises", "promise_id"),
                                ("arrangement", "arrangement_instalments", "arrangement_id"),
                                ("collector", "collectors", "collector_id")):
            if tables[table].num_rows:  # ids run on from the largest of this chunk
                ids[key] = max(ids[key], pa.compute.max(tables[table].column(col)).as_py())
        yield i, tables


def snapshot(accounts: int, *, seed: int = 7, as_of: dt.date = dt.date(2026, 11, 28)) -> dict[str, pa.Table]:
    """About ``accounts`` accounts (exactly that many) with their cases, people, instalments and the rest."""
    parts = [tables for _i, tables in _chunks(accounts, seed, as_of)]
    if len(parts) == 1:
        return parts[0]
    return {name: parts[0][name] if name in SHARED_TABLES else pa.concat_tables([p[name] for p in parts])
            for name in parts[0]}


def write_snapshot(accounts: int, directory: str | Path, *, seed: int = 7,
                   as_of: dt.date = dt.date(2026, 11, 28), progress=None) -> dict[str, int]:
    """Write the snapshot of :func:`snapshot` to ``directory`` chunk by chunk (memory stays that of one chunk);
    return the rows per table. ``progress(chunk, chunks)`` is called after each chunk."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    chunks = len(_chunk_sizes(accounts))
    rows: dict[str, int] = {}
    for i, tables in _chunks(accounts, seed, as_of):
        for name, table in tables.items():
            if chunks == 1:
                pq.write_table(table, directory / f"{name}.parquet")
            elif name in SHARED_TABLES:
                if i == 0:
                    pq.write_table(table, directory / f"{name}.parquet")
            else:
                (directory / name).mkdir(exist_ok=True)
                pq.write_table(table, directory / name / f"part-{i:04d}.parquet")
            if name not in SHARED_TABLES or i == 0:
                rows[name] = rows.get(name, 0) + table.num_rows
        if progress:
            progress(i + 1, chunks)
    return rows


def _snapshot_chunk(accounts: int, rng: np.random.Generator, as_of: dt.date, ids: dict[str, int]
                    ) -> dict[str, pa.Table]:
    """One chunk of ``accounts`` accounts; every id starts after ``ids`` (the rows of the chunks before)."""
    AS = (as_of - dt.date(1970, 1, 1)).days
    n = accounts
    # -- cases first, then accounts per case ----------------------------------------------------------------
    shares = np.array([c[3] for c in CREDITORS])
    est_cases = n  # every case has at least one account: n cases always hold n accounts
    cred_idx = rng.choice(3, size=est_cases, p=shares)
    is_card = cred_idx == 0
    r = rng.random(est_cases)
    per_case = np.where(is_card, np.where(r < 0.06, 2, 1), np.where(r < 0.04, 3, np.where(r < 0.18, 2, 1)))
    cum = np.cumsum(per_case)
    n_cases = int(np.searchsorted(cum, n) + 1)
    cred_idx, is_card, per_case = cred_idx[:n_cases], is_card[:n_cases], per_case[:n_cases].copy()
    per_case[-1] -= int(per_case.sum() - n)
    case_id = np.arange(1, n_cases + 1, dtype=np.int64) + ids["case"]
    # persons: 5% of debtors owe a second creditor (their second case shares the person id)
    person_of_case = np.arange(1, n_cases + 1, dtype=np.int64) + ids["case"]
    second = np.flatnonzero(rng.random(n_cases) < 0.05 / 1.05)
    second = second[second > 0]
    person_of_case[second] = person_of_case[second - 1]
    persons = np.unique(person_of_case)

    acc_case = np.repeat(np.arange(n_cases), per_case)
    acc_card = is_card[acc_case]
    acc_cred = cred_idx[acc_case]
    account_id = np.arange(1, n + 1, dtype=np.int64) + ids["account"]
    b = rng.choice(7, size=n, p=BUCKET_WEIGHTS / BUCKET_WEIGHTS.sum()) + 1  # 1..7
    lo, hi = 30 * (b - 1) + 2, 30 * b - 4
    dpd = np.where(b == 7, np.minimum(rng.integers(183, 421, n), rng.integers(183, 801, n)),
                   rng.integers(0, 1 << 30, n) % (hi - lo + 1) + lo)
    due = AS - dpd
    due_dt = EPOCH + due
    dom = (due_dt - due_dt.astype("datetime64[M]")).astype(np.int64) + 1
    due = due - np.maximum(dom - 28, 0)  # due dates on day ≤ 28
    # loans: term, paid instalments, schedule; cards: one overdue statement
    term = rng.choice([3, 6, 12, 24], size=n, p=[0.15, 0.30, 0.40, 0.15])
    term = np.where(acc_card, 1, term)
    paid_n = np.minimum(rng.integers(0, 1 << 30, n) % term, rng.integers(0, 1 << 30, n) % term)
    paid_n = np.where(acc_card, 0, paid_n)
    amount_yuan = np.minimum(rng.integers(10, 501, n), rng.integers(10, 501, n)) * 100
    limit = rng.choice([5000, 8000, 10000, 15000, 20000, 30000, 50000, 80000, 100000], size=n)
    card_principal = np.clip(limit * rng.uniform(0.4, 1.05, n), 2000, 80000)
    contract_fen = np.where(acc_card, limit * 100, amount_yuan * 100).astype(np.int64)
    principal_fen = np.where(acc_card, (card_principal * 100).astype(np.int64), contract_fen)
    rate_e6 = np.where(acc_card, 180_000, rng.integers(20, 49, n) * 5000)  # annual rate in millionths
    due_month = (EPOCH + due).astype("datetime64[M]")
    due_day = (EPOCH + due - due_month.astype("datetime64[D]")).astype(np.int64)
    start_month = due_month - (paid_n + 1).astype("timedelta64[M]")
    start = np.where(acc_card, due - rng.integers(180, 2501, n),
                     (start_month.astype("datetime64[D]") - EPOCH).astype(np.int64) + due_day)

    inst_acc = np.repeat(np.arange(n), term)
    k = np.arange(len(inst_acc)) - np.repeat(np.cumsum(term) - term, term) + 1  # 1-based
    inst_due = np.where(acc_card[inst_acc], due[inst_acc],
                        ((start_month[inst_acc] + k.astype("timedelta64[M]")).astype("datetime64[D]") - EPOCH)
                        .astype(np.int64) + due_day[inst_acc])
    base_p = principal_fen[inst_acc] // term[inst_acc]
    last = k == term[inst_acc]
    p_due = np.where(last, principal_fen[inst_acc] - base_p * (term[inst_acc] - 1), base_p)
    remaining = principal_fen[inst_acc] - base_p * (k - 1)
    i_due = np.where(acc_card[inst_acc],
                     (principal_fen[inst_acc] * 0.18 * np.minimum(dpd[inst_acc] + 35, 400) / 365).round(),
                     (remaining * rate_e6[inst_acc] / 12_000_000).round()).astype(np.int64)
    is_paid = k <= paid_n[inst_acc]
    p_paid = np.where(is_paid, p_due, 0)
    i_paid = np.where(is_paid, i_due, 0)
    # partial payments on the oldest overdue instalment for 40% of accounts (less than its interest + principal)
    partial = (rng.random(n) < 0.40)[inst_acc] & (k == paid_n[inst_acc] + 1)
    frac = rng.uniform(0.05, 0.8, len(inst_acc))
    part = np.where(partial, ((p_due + i_due) * frac).astype(np.int64), 0)
    i_paid = i_paid + np.minimum(part, i_due - i_paid)
    p_paid = p_paid + np.minimum(part - np.minimum(part, i_due), p_due - 1).clip(0)
    owed_due = inst_due <= AS
    acc_p_paid = np.bincount(inst_acc, weights=p_paid, minlength=n).astype(np.int64)
    acc_i_charged = np.bincount(inst_acc, weights=np.where(owed_due, i_due, 0), minlength=n).astype(np.int64)
    acc_i_bal = np.bincount(inst_acc, weights=np.where(owed_due, i_due - i_paid, 0), minlength=n).astype(np.int64)
    zeros = np.zeros(n, np.int64)

    out: dict[str, pa.Table] = {}
    out["creditors"] = _table("creditors", {"creditor_id": [c[0] for c in CREDITORS],
                                            "policy_pack": [c[1] for c in CREDITORS]})
    out["products"] = _table("products", {
        "product_id": [1, 2, 3], "creditor_id": [1, 2, 3], "kind": [c[2] for c in CREDITORS],
        "penalty_daily_rate_e6": [500, 500, 600], "compound_on_interest": [True, False, False],
        "grace_days": [3, 0, 1], "late_fee_fen": [5000, 0, 2000], "total_cost_cap_rate_e4": [None, 2400, 2400],
        "waterfall": ["fees,penalty,interest,principal", "principal,interest,penalty,fees",
                      "fees,penalty,interest,principal"], "promise_grace_days": [1, 2, 1]})
    pen_hist = zeros
    out["accounts"] = _table("accounts", {
        "account_id": account_id, "case_id": case_id[acc_case], "product_id": acc_cred + 1,
        "status": np.full(n, "open"), "start_date": _dates(start), "contract_amount_fen": contract_fen,
        "principal_balance_fen": principal_fen - acc_p_paid, "interest_balance_fen": acc_i_bal,
        "penalty_balance_fen": pen_hist, "fees_balance_fen": zeros, "credit_balance_fen": zeros,
        "interest_charged_fen": acc_i_charged, "penalty_accrued_fen": pen_hist, "fees_accrued_fen": zeros,
        "prev_bucket": _bucket_of(np.maximum(dpd - 1, 0))})
    out["instalments"] = _table("instalments", {
        "account_id": account_id[inst_acc], "number": k, "due_date": _dates(inst_due),
        "principal_due_fen": p_due, "interest_due_fen": i_due, "principal_paid_fen": p_paid,
        "interest_paid_fen": i_paid})
    # payments: history (posted) for partial payers, and today's unposted payments (3%)
    hist = np.flatnonzero(partial)
    hist_acc = inst_acc[hist]
    today = np.flatnonzero(rng.random(n) < 0.03)
    today_amt = np.maximum((principal_fen[today] * rng.uniform(0.01, 0.3, len(today))).astype(np.int64), 100)
    pay_acc = np.concatenate([hist_acc, today])
    pay_amt = np.concatenate([part[hist], today_amt])
    pay_day = np.concatenate([np.minimum(due[hist_acc] + rng.integers(1, 60, len(hist)), AS - 1),
                              np.full(len(today), AS)])
    pay_day = np.maximum(pay_day, start[pay_acc])
    posted = np.concatenate([np.ones(len(hist), bool), np.zeros(len(today), bool)])
    keep = pay_amt > 0
    out["payments"] = _table("payments", {
        "payment_id": np.arange(1, keep.sum() + 1) + ids["payment"], "account_id": account_id[pay_acc[keep]],
        "amount_fen": pay_amt[keep], "paid_on": _dates(pay_day[keep]), "posted": posted[keep],
        "reversed": rng.random(keep.sum()) < 0.002})
    # cases, people, staff
    case_dpd = np.zeros(n_cases, np.int64)
    np.maximum.at(case_dpd, acc_case, dpd)
    case_bal = np.bincount(acc_case, weights=principal_fen - acc_p_paid + acc_i_bal, minlength=n_cases)
    status = rng.choice(["open", "new", "on_hold", "settled"], size=n_cases, p=[0.90, 0.05, 0.03, 0.02])
    n_col_team = [max(1, int(n_cases * s / 800)) for s in (0.46, 0.24, 0.25, 0.05)]
    col_team = np.repeat(np.arange(1, 5), n_col_team)
    n_col = len(col_team)
    out["teams"] = _table("teams", {"team_id": [t[0] for t in TEAMS], "buckets": [t[1] for t in TEAMS],
                                    "skills": [t[2] for t in TEAMS]})
    out["collectors"] = _table("collectors", {
        "collector_id": np.arange(1, n_col + 1) + ids["collector"], "team_id": col_team,
        "capacity": rng.choice([700, 800, 900, 1000], size=n_col), "skills": np.where(col_team == 4, "field", ""),
        "active": rng.random(n_col) < 0.97})
    team_for = {"M0": 1, "M1": 1, "M2": 1, "M3": 2, "M4": 2, "M5": 3, "M6": 3, "M7+": 3}
    # assignment as of the previous run: the bucket of yesterday; field team for 10% of M5+
    prev_case_bucket = _bucket_of(np.maximum(case_dpd - 1, 0))
    team = np.vectorize(team_for.get, otypes=[np.int64])(prev_case_bucket)
    team = np.where(np.isin(prev_case_bucket, ["M5", "M6", "M7+"]) & (rng.random(n_cases) < 0.10), 4, team)
    starts = np.concatenate([[0], np.cumsum(n_col_team)[:-1]])
    member = starts[team - 1] + rng.integers(0, 1 << 30, n_cases) % np.array(n_col_team)[team - 1]
    assigned = rng.random(n_cases) < 0.95
    out["cases"] = _table("cases", {
        "case_id": case_id, "creditor_id": cred_idx + 1, "person_id": person_of_case, "status": status,
        "team_id": pa.array(np.where(assigned, team, 0), mask=~assigned),
        "collector_id": pa.array(member + 1 + ids["collector"], mask=~assigned),
        "assigned_on": pa.array(AS - rng.integers(0, 120, n_cases), pa.int32(), mask=~assigned).cast(pa.date32())})
    out["persons"] = _table("persons", {"person_id": persons, "time_zone": pa.nulls(len(persons), pa.string()),
                                        "deceased": rng.random(len(persons)) < 0.0004})
    # promises (15% of cases), arrangements (2%), holds (1% of people), contacts (30% of people)
    pc_ = np.flatnonzero(rng.random(n_cases) < 0.15)
    promised_on = AS - rng.integers(1, 31, len(pc_))
    out["promises"] = _table("promises", {
        "promise_id": np.arange(1, len(pc_) + 1) + ids["promise"], "case_id": case_id[pc_],
        "amount_fen": np.maximum((case_bal[pc_] * rng.uniform(0.1, 0.5, len(pc_))).astype(np.int64), 100),
        "promised_on": _dates(promised_on), "due_date": _dates(promised_on + rng.integers(1, 15, len(pc_)))})
    ac = np.flatnonzero(rng.random(n_cases) < 0.02)
    arr_case = np.repeat(ac, 6)
    num = np.tile(np.arange(1, 7), len(ac))
    first = np.repeat(AS - rng.integers(0, 120, len(ac)), 6)
    arr_amt = np.repeat(np.maximum((case_bal[ac] / 6).astype(np.int64), 100), 6)
    arr_due = first + (num - 1) * 30
    paid_ok = (arr_due < AS) & (rng.random(len(arr_case)) < 0.8)
    out["arrangement_instalments"] = _table("arrangement_instalments", {
        "arrangement_id": np.repeat(np.arange(1, len(ac) + 1) + ids["arrangement"], 6), "case_id": case_id[arr_case], "number": num,
        "due_date": _dates(arr_due), "amount_fen": arr_amt, "paid_fen": np.where(paid_ok, arr_amt, 0),
        "grace_days": np.full(len(arr_case), 5, np.int32)})
    hp = persons[rng.random(len(persons)) < 0.01]
    hold_start = AS - rng.integers(0, 60, len(hp))
    out["holds"] = _table("holds", {
        "person_id": hp, "kind": rng.choice(["complaint", "dispute", "cease", "arrangement"], size=len(hp)),
        "starts_on": _dates(hold_start),
        "ends_on": pa.array(hold_start + rng.integers(0, 90, len(hp)), pa.int32(),
                            mask=rng.random(len(hp)) < 0.5).cast(pa.date32())})
    cp = persons[rng.random(len(persons)) < 0.30]
    per = rng.integers(1, 4, len(cp))
    con_p = np.repeat(cp, per)
    out["contacts"] = _table("contacts", {
        "person_id": con_p, "contact_on": _dates(AS - rng.integers(0, 10, len(con_p))),
        "channel": rng.choice(["call", "sms"], size=len(con_p), p=[0.8, 0.2]),
        "outcome": rng.choice(["no_answer", "busy", "conversation", "voicemail", "wrong_number"], size=len(con_p),
                              p=[0.45, 0.1, 0.3, 0.1, 0.05])})
    return out
