"""Training on a seeded synthetic history with a known signal (the daily pay probability falls with DPD and balance):
the scorecard separates the hold-out, its bins are monotone, its points follow the signal; the modelling table's
features and targets on a hand-made history."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from concord.reports.store import HistoryStore
from concord.scoring import features, training

from .helpers import END, START, history, trained


def test_scorecard_separates_the_time_based_holdout():
    m = trained("paid_30d")
    v = m["validation"]
    assert v["holdout_from"] > START.isoformat() and v["train_rows"] > v["holdout_rows"] > 1000
    hold = v["scorecard"]["holdout"]
    assert hold["auc"] > 0.68, hold
    assert hold["gini"] == pytest.approx(2 * hold["auc"] - 1, abs=1e-3) and 0.2 < hold["ks"] < 1
    assert v["lightgbm"]["holdout"]["auc"] > 0.65  # the challenger is trained and measured on the same hold-out
    assert set(v["lightgbm"]["importance"]) == set(features.FEATURES)


def test_bins_are_monotone_and_points_follow_the_signal():
    m = trained("paid_30d")
    assert "max_dpd" in m["features"] and "total_balance_fen" in m["features"]
    for char in m["features"]:
        stats = [s for s in m["bin_stats"] if s["characteristic"] == char]
        rates = [s["event_rate"] for s in stats]
        assert rates == sorted(rates) or rates == sorted(rates, reverse=True), (char, rates)
        # contiguous integer bins from an open lower end to an open upper end
        assert stats[0]["lower"] is None and stats[-1]["upper"] is None
        assert all(a["upper"] == b["lower"] and isinstance(a["upper"], int) for a, b in zip(stats, stats[1:]))
    dpd_points = [b[3] for b in m["bins"] if b[0] == "max_dpd"]
    assert dpd_points == sorted(dpd_points, reverse=True) and dpd_points[0] > dpd_points[-1]
    bal_points = [b[3] for b in m["bins"] if b[0] == "total_balance_fen"]
    assert bal_points[0] > bal_points[-1]
    assert m["bins"][0][0] == "base" and all(isinstance(b[3], int) for b in m["bins"])


def test_scores_and_reason_codes():
    m = trained("paid_30d")
    bins = m["bins"]
    best = {"max_dpd": np.array([1]), "total_balance_fen": np.array([1000]), "paid_90d_fen": np.array([10**9]),
            "kept_promises": np.array([5]), "broken_promises": np.array([0]), "conversations_30d": np.array([9])}
    worst = {"max_dpd": np.array([400]), "total_balance_fen": np.array([10**10]), "paid_90d_fen": np.array([0]),
             "kept_promises": np.array([0]), "broken_promises": np.array([5]), "conversations_30d": np.array([0])}
    hi, lo = training.score_rows(bins, best, 1)[0], training.score_rows(bins, worst, 1)[0]
    assert hi > lo
    reasons = training.reason_codes(bins, {k: int(v[0]) for k, v in worst.items()})
    assert reasons[0] == "max_dpd" and len(reasons) <= 3
    good = training.reason_codes(bins, {k: int(v[0]) for k, v in best.items()})
    assert "max_dpd" not in good and "total_balance_fen" not in good   # at their best bins: no reason


def test_other_targets_train():
    for target in ("self_cure_30d", "promise_kept"):
        m = trained(target)
        assert m["target"] == target and m["validation"]["scorecard"]["holdout"]["auc"] > 0.55


def test_metrics_by_hand():
    y = np.array([0, 0, 1, 1])
    s = np.array([1, 2, 3, 4])
    assert training.metrics(y, s) == {"auc": 1.0, "ks": 1.0, "gini": 1.0}
    m = training.metrics(np.array([0, 1, 0, 1]), np.array([1, 2, 3, 4]))
    assert m["auc"] == 0.75 and m["ks"] == 0.5 and m["gini"] == 0.5


def test_too_few_events_is_refused():
    t = features.modelling_table(history().connect(), "paid_30d", START, END, every=5)
    t = t.set_column(t.schema.get_field_index("paid_30d"), "paid_30d", pa.array([0] * t.num_rows, pa.int32()))
    with pytest.raises(training.TrainingError, match="events"):
        training.train(t, "paid_30d")


def _day(st: HistoryStore, day, accounts, payments=(), contacts=(), promises=()):
    acc = [{"account_id": a, "case_id": c, "creditor_id": 1, "product_id": 1, "placement_id": 1, "placed_on": day,
            "team_id": 1, "collector_id": 1, "status": s, "bucket": "M1", "dpd": d, "balance_fen": b, "paid_fen": 0,
            "segment": "", "score": 0, "treatment": ""} for a, c, s, d, b in accounts]
    pay = [{"payment_id": i, "account_id": c, "case_id": c, "creditor_id": 1, "amount_fen": amt, "channel": "bank",
            "reversed": rev} for i, c, amt, rev in payments]
    con = [{"attempt_id": t[0], "case_id": t[1], "creditor_id": 1, "collector_id": 1,
            "channel": t[3] if len(t) > 3 else "call", "direction": "outbound", "party": "debtor", "outcome": t[2],
            "hour": 10, "weekday": 1} for t in contacts]
    pro = [{"promise_id": i, "case_id": c, "creditor_id": 1, "collector_id": 1, "event": ev, "amount_fen": 100,
            "paid_fen": 0, "due_date": day} for i, c, ev in promises]
    from concord.reports import store as s

    st.write_day(day, {"accounts": pa.Table.from_pylist(acc, s.ACCOUNTS),
                       "payments": pa.Table.from_pylist(pay, s.FACT_TABLES["payments"]),
                       "contacts": pa.Table.from_pylist(con, s.FACT_TABLES["contacts"]),
                       "promises": pa.Table.from_pylist(pro, s.FACT_TABLES["promises"])}, {"source": "test"})


def test_modelling_table_by_hand(tmp_path):
    """Case 1: two accounts; paid 5 000 fen on day 0 (in its 90 days), a conversation on day 0, a promise made on
    day 0 and kept on day 3, then a payment on day 10 after a contact on day 5 (paid, not a self-cure). Case 2 pays on
    day 4 with no contact (self-cure), and a reversed payment on day 1 that counts nowhere. Case 3 never pays."""
    st = HistoryStore(tmp_path)
    d0 = dt.date(2026, 3, 1)
    for k in range(45):
        day = d0 + dt.timedelta(days=k)
        accounts = [(11, 1, "open", 20 + k, 300_000), (12, 1, "open", 5, 100_000), (21, 2, "open", 40 + k, 50_000),
                    (31, 3, "open", 90 + k, 70_000)]
        payments, contacts, promises = [], [], []
        if k == 0:
            payments, contacts, promises = [(1, 1, 5_000, False)], [(1, 1, "conversation")], [(1, 1, "made")]
        if k == 1:
            payments = [(2, 2, 9_999, True)]
        if k == 3:
            promises = [(1, 1, "kept")]
        if k == 4:
            payments = [(3, 2, 1_000, False)]
        if k == 5:
            contacts = [(2, 1, "no_answer")]
        if k == 10:
            payments = [(4, 1, 2_000, False)]
        _day(st, day, accounts, payments, contacts, promises)
    con = st.connect()
    rows = {r["case_id"]: r for r in features.modelling_table(con, "paid_30d", d0, d0, every=1).to_pylist()}
    assert rows[1]["max_dpd"] == 20 and rows[1]["total_balance_fen"] == 400_000 and rows[1]["accounts"] == 2
    assert rows[1]["paid_90d_fen"] == 5_000 and rows[1]["conversations_30d"] == 1 and rows[1]["contacts_30d"] == 1
    assert rows[1]["days_since_payment"] == 0 and rows[1]["paid_30d"] == 1
    assert rows[2]["paid_90d_fen"] == 0 and rows[2]["days_since_payment"] == 999 and rows[2]["paid_30d"] == 1
    assert rows[3]["paid_30d"] == 0
    cure = {r["case_id"]: r["self_cure_30d"]
            for r in features.modelling_table(con, "self_cure_30d", d0 + dt.timedelta(days=2),
                                              d0 + dt.timedelta(days=2)).to_pylist()}
    assert cure == {1: 0, 2: 1, 3: 0}  # case 1 was contacted (day 5) before it paid (day 10)
    later = {r["case_id"]: r for r in features.modelling_table(
        con, "paid_30d", d0 + dt.timedelta(days=3), d0 + dt.timedelta(days=3)).to_pylist()}
    assert later[1]["kept_promises"] == 1 and later[1]["broken_promises"] == 0
    kept = features.modelling_table(con, "promise_kept", d0, d0 + dt.timedelta(days=20)).to_pylist()
    assert [(r["case_id"], r["promise_kept"]) for r in kept] == [(1, 1)]
    with pytest.raises(features.NoData, match="30 days"):
        features.modelling_table(con, "paid_30d", d0 + dt.timedelta(days=20), d0 + dt.timedelta(days=40))
    with pytest.raises(ValueError, match="target"):
        features.modelling_table(con, "nonsense", d0, d0)


def test_a_sample_keeps_the_same_cases_every_day():
    con = history().connect()
    full = features.modelling_table(con, "paid_30d", START, END, every=5)
    part = features.modelling_table(con, "paid_30d", START, END, every=5, sample=0.3)
    kept = set(part.column("case_id").to_pylist())
    assert 0.2 * len(set(full.column("case_id").to_pylist())) < len(kept) < 0.4 * 1500
    expected = [r for r in full.to_pylist() if r["case_id"] in kept]
    assert part.to_pylist() == expected           # the same rows as the full table, for the sampled cases
    with pytest.raises(ValueError, match="sample"):
        features.modelling_table(con, "paid_30d", START, END, sample=0)
