"""The morning numbers of the daily history on a hand-made history; each expected value is computed again in Python
from the book that wrote the history (not through the report SQL)."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from concord.reports.metrics import Filters, morning
from concord.reports.store import ACCOUNTS, HistoryStore

D = dt.date
ENDS = [D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 30), D(2026, 12, 31)]
ROLLED = [1, 1, 2, 3]  # of 4 M1 accounts at each month end, how many are M2 at the next: 25%, 25%, 50%, 75%
BASE = {"product_id": 1, "placement_id": 1, "placed_on": D(2026, 8, 1), "team_id": 10, "collector_id": 100,
        "segment": None, "score": None, "treatment": None, "dpd": 0}
# (account, day) → paid fen, creditor of the account = 1 for odd ids, 2 for even ids
PAID = {(1, D(2026, 12, 31)): 5000, (1, D(2027, 1, 2)): 1200, (2, D(2027, 1, 3)): 800, (3, D(2027, 1, 3)): 300}


def _state(account: int, day: dt.date) -> tuple[str, str] | None:
    """(status, bucket) of ``account`` on a month end: cohort i starts M1 at ENDS[i], rolls or cures at ENDS[i+1],
    and is settled after."""
    cohort, n = divmod(account - 1, 4)
    if cohort >= len(ROLLED) or day < ENDS[cohort]:
        return None
    if day == ENDS[cohort]:
        return "open", "M1"
    if day <= ENDS[cohort + 1]:
        return ("open", "M2") if n < ROLLED[cohort] else ("open", "M0")
    return "settled", "M0"


def _write(store, day):
    rows = []
    for account in range(1, 4 * len(ROLLED) + 1):
        state = _state(account, min(day, max(e for e in ENDS if e <= day)))
        if state is None:
            continue
        rows.append({**BASE, "account_id": account, "case_id": account, "creditor_id": 2 - account % 2,
                     "status": state[0], "bucket": state[1], "balance_fen": 10000,
                     "paid_fen": PAID.get((account, day), 0)})
    store.write_day(day, {"accounts": pa.Table.from_pylist(rows, schema=ACCOUNTS)}, {"source": "test"})


@pytest.fixture
def con(tmp_path):
    store = HistoryStore(tmp_path)
    for day in [*ENDS, D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)]:
        _write(store, day)
    return store.connect()


def test_cash_and_month_to_date_match_the_book(con):
    yesterday = D(2027, 1, 3)
    assert morning.cash_on(con, yesterday) == sum(v for (a, d), v in PAID.items() if d == yesterday) == 1100
    expected: dict[int, int] = {}
    for (account, day), paid in PAID.items():
        if D(2027, 1, 1) <= day <= yesterday:
            expected[2 - account % 2] = expected.get(2 - account % 2, 0) + paid
    assert morning.month_to_date(con, yesterday) == expected == {1: 1500, 2: 800}
    assert morning.month_to_date(con, yesterday, Filters(creditor_id=2)) == {2: 800}
    assert morning.cash_on(con, D(2027, 1, 1)) == 0


def test_a_bucket_rolling_worse_than_its_three_month_average_is_an_alert(con):
    alerts = morning.roll_alerts(con, D(2027, 1, 4))
    average = round(sum(r / 4 for r in ROLLED[:3]) / 3, 4)
    assert [(a["from_bucket"], a["to_bucket"], a["month_end"], a["rate"], a["average"], a["months"], a["accounts"])
            for a in alerts] == [("M1", "M2", ENDS[-2], ROLLED[-1] / 4, average, 3, 4)]
    # a month earlier November is the last closed month: 50% against (25% + 25%) / 2 — still worse
    earlier = morning.roll_alerts(con, D(2026, 12, 10))
    assert [(a["month_end"], a["rate"], a["average"], a["months"]) for a in earlier] == [
        (ENDS[-3], 0.5, 0.25, 2)]


def test_no_alert_when_the_bucket_rolls_as_usual_or_there_is_no_history(con, tmp_path):
    # the M2 accounts all pay off: their roll to M3 (0%) is not above its average (0%)
    assert all(a["from_bucket"] != "M2" for a in morning.roll_alerts(con, D(2027, 1, 4)))
    assert morning.roll_alerts(con, D(2026, 9, 15)) == []  # one closed month: nothing to compare with
    empty = HistoryStore(tmp_path / "none").connect()
    assert morning.roll_alerts(empty, D(2027, 1, 4)) == [] and morning.month_to_date(empty, D(2027, 1, 3)) == {}
