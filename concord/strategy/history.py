"""The simulator's daily history: each simulated day of a side written through the reports' history store
(``concord.reports.store.HistoryStore``) with production's tables and columns, so that the reports' metric
functions read it and the scoring app's trainer learns from it. Pure: no Django.

One account per case per debtor: ``account_id`` = ``case_id`` = the debtor's index + 1; creditor, placement, team and
collector are 1 (the simulator's collectors are one pool); ``product_id`` 1 is ``online_loan``, 2 ``credit_card``.
Each day's ``accounts`` rows hold every account as of the evening (status ``open`` or ``settled``, DPD, balance,
what it paid that day, the end-of-day segment, score and channel); the facts are the side's journal of the day
(``Side.journal``): payments, contacts (outbound, party ``debtor``, with local hour and weekday), the gate's
decisions (one per request, allowed or not, with the denying rules' codes), promises (``made`` the day they are
made, ``kept`` / ``partial`` / ``broken`` the day they resolve), plans (``arrangements``, kind ``instalment``, status
``active`` when agreed, ``completed`` or ``broken``) and complaints.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from concord.reports.store import FACT_TABLES, HistoryStore

from .world import Side

PRODUCT_IDS = {"online_loan": 1, "credit_card": 2}


def bucket(dpd: np.ndarray) -> np.ndarray:
    """The DPD bucket of each account (M0 current, M1 1–30 … M6 151–180, M7+ beyond): ``eod.engine.bucket_of``'s
    bounds, in numpy."""
    k = np.clip((dpd - 1) // 30 + 1, 0, 7)
    names = np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"], dtype=object)
    return np.where(dpd <= 0, "M0", names[k])


def _table(name: str, columns: dict) -> pa.Table:
    schema = FACT_TABLES[name]
    return pa.table({f.name: pa.array(columns[f.name], type=f.type) for f in schema}, schema=schema)


class HistoryWriter:
    """Writes one side's days under ``root`` (a history root of its own)."""

    def __init__(self, root: str | Path):
        self.store = HistoryStore(root)
        self.store.clear()
        self.ids = dict.fromkeys(FACT_TABLES, 0)

    def _ids(self, name: str, k: int) -> np.ndarray:
        start = self.ids[name] + 1
        self.ids[name] += k
        return np.arange(start, start + k, dtype=np.int64)

    def write(self, side: Side, day: int, eod: dict) -> None:
        """Write simulated day ``day`` of ``side`` (after its evening) and empty its journal; ``eod`` is that day's
        end-of-day result (score, segment, channel of the open cases)."""
        book, j = side.book, side.journal
        n = book.n
        date = side.date(day)
        ids = np.arange(1, n + 1, dtype=np.int64)
        ones = np.ones(n, np.int64)
        open_ = side.owed > 0
        dpd = np.where(open_, book.dpd0 + day, 0)
        paid = np.zeros(n, np.int64)
        for i, amount in j["payments"]:
            paid[i] += amount
        score = np.zeros(n, np.int64)
        segment = np.full(n, "", dtype=object)
        treatment = np.full(n, "", dtype=object)
        score[eod["idx"]] = eod["score"]
        segment[eod["idx"]] = eod["segment"]
        treatment[eod["idx"]] = eod["channel"]
        accounts = pa.table({
            "account_id": ids, "case_id": ids, "creditor_id": ones,
            "product_id": np.array([PRODUCT_IDS[p] for p in book.product], np.int64),
            "placement_id": ones, "placed_on": pa.array([book.population.start] * n, pa.date32()),
            "team_id": ones, "collector_id": ones,
            "status": np.where(open_, "open", "settled").astype(object), "bucket": bucket(dpd),
            "dpd": dpd.astype(np.int32), "balance_fen": side.owed.astype(np.int64), "paid_fen": paid,
            "segment": segment, "score": score.astype(np.int32), "treatment": treatment})
        pay = j["payments"]
        con = j["contacts"]
        dec = j["decisions"]
        prom = j["promises"]
        arr = j["arrangements"]
        comp = j["complaints"]
        tables = {
            "accounts": accounts,
            "payments": _table("payments", {
                "payment_id": self._ids("payments", len(pay)), "account_id": [i + 1 for i, _a in pay],
                "case_id": [i + 1 for i, _a in pay], "creditor_id": [1] * len(pay),
                "amount_fen": [a for _i, a in pay], "channel": ["bank"] * len(pay), "reversed": [False] * len(pay)}),
            "contacts": _table("contacts", {
                "attempt_id": self._ids("contacts", len(con)), "case_id": [r[0] + 1 for r in con],
                "creditor_id": [1] * len(con), "collector_id": [1] * len(con), "channel": [r[1] for r in con],
                "direction": ["outbound"] * len(con), "party": ["debtor"] * len(con),
                "outcome": [r[2] for r in con], "hour": [r[3] for r in con], "weekday": [r[4] for r in con]}),
            "decisions": _table("decisions", {
                "decision_id": self._ids("decisions", len(dec)), "case_id": [r[0] + 1 for r in dec],
                "creditor_id": [1] * len(dec), "actor_id": [1] * len(dec), "channel": [r[1] for r in dec],
                "allowed": [bool(r[2]) for r in dec], "rules": [r[3] for r in dec]}),
            "promises": _table("promises", {
                "promise_id": [p.id for _i, p, _e in prom], "case_id": [i + 1 for i, _p, _e in prom],
                "creditor_id": [1] * len(prom), "collector_id": [1] * len(prom), "event": [e for *_x, e in prom],
                "amount_fen": [p.amount for _i, p, _e in prom],
                "paid_fen": [0 if e == "made" else min(p.paid, p.amount) for _i, p, e in prom],
                "due_date": [side.date(p.due) for _i, p, _e in prom]}),
            "arrangements": _table("arrangements", {
                "arrangement_id": self._ids("arrangements", len(arr)), "case_id": [r[0] + 1 for r in arr],
                "kind": ["instalment"] * len(arr),
                "status": ["active" if r[1] == "made" else r[1] for r in arr], "total_fen": [r[2] for r in arr]}),
            "complaints": _table("complaints", {
                "complaint_id": self._ids("complaints", len(comp)), "case_id": [i + 1 for i in comp],
                "creditor_id": [1] * len(comp), "kind": ["complaint"] * len(comp),
                "category": ["collection_conduct"] * len(comp), "severity": ["normal"] * len(comp),
                "status": ["open"] * len(comp)}),
        }
        self.store.write_day(date, tables, {"source": "simulator", "side": side.name, "accounts": n,
                                            "simulated_day": day + 1})
        for k in j:
            j[k] = []


def clear_journal(side: Side) -> None:
    for k in side.journal:
        side.journal[k] = []


def day_of(side: Side, date: dt.date) -> int:
    return (date - side.book.population.start).days
