"""The month-end snapshot (``month_end_accounts``) gives the roll rates exactly what the accounts table holds: the same
history kept with compacted months (read through the snapshot) and without (daily files only) gives the same month
ends, matrix and drill-down, for whole and partial months, with filters, and after a restatement of a month end."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from concord.reports.metrics import Filters, rolls
from concord.reports.store import ACCOUNTS, SNAPSHOT, HistoryStore
from concord.reports.tests.test_metrics import BASE, BOOK, END, START, _facts

D = dt.date


def _accounts(day, changed=None):
    rows = []
    for acc, (cred, placed, team, coll, states, paid) in BOOK.items():
        if day < placed:
            continue
        _f, status, bucket, balance = [s for s in states if s[0] <= day][-1]
        if changed and acc in changed:
            status, bucket = changed[acc]
        rows.append({**BASE, "account_id": acc, "case_id": acc, "creditor_id": cred, "placed_on": placed,
                     "team_id": team, "collector_id": coll, "status": status, "bucket": bucket,
                     "balance_fen": balance, "paid_fen": paid.get(day, 0)})
    return pa.Table.from_pylist(rows, schema=ACCOUNTS)


def _store(root, compact):
    st = HistoryStore(root)
    day = D(2026, 10, 5)
    while day <= D(2026, 12, 3):
        st.write_day(day, {"accounts": _accounts(day), **_facts(day)}, {"source": "test"})
        if compact:
            st.compact_before(day)
        day += dt.timedelta(days=1)
    return st


@pytest.fixture
def stores(tmp_path):
    return _store(tmp_path / "compacted", True), _store(tmp_path / "daily", False)


PERIODS = [(START, END), (START, D(2026, 12, 3)), (D(2026, 10, 1), D(2026, 10, 15)), (D(2026, 10, 12), D(2026, 11, 20)),
           (D(2026, 11, 1), D(2026, 12, 3))]
FILTERS = [Filters(), Filters(creditor_id=1), Filters(teams=(20,)), Filters(bucket="M1")]


def _same(compacted: HistoryStore, daily: HistoryStore):
    a, b = compacted.connect(), daily.connect()
    assert rolls._snapshot_days(b) == []
    for start, end in PERIODS:
        assert rolls.month_ends(a, start, end) == rolls.month_ends(b, start, end)
        for f in FILTERS:
            assert rolls.matrix(a, start, end, f) == rolls.matrix(b, start, end, f), (start, end, f)
    cells = rolls.matrix(b, START, D(2026, 12, 3))
    assert cells
    for c in cells:
        args = (c["month_end"], c["next_month_end"], c["from_bucket"], c["to_bucket"])
        assert rolls.accounts_behind(a, *args) == rolls.accounts_behind(b, *args)


def test_the_snapshot_path_equals_the_accounts_table(stores):
    compacted, daily = stores
    assert sorted(p.parent.name for p in (compacted.root / SNAPSHOT).glob("*/part.parquet")) == [
        "month=2026-10", "month=2026-11"]
    assert rolls._snapshot_days(compacted.connect()) == [D(2026, 10, 31), D(2026, 11, 30)]
    _same(compacted, daily)


def test_a_restated_month_end_rewrites_its_snapshot(stores):
    compacted, daily = stores
    changed = {4: ("open", "M1"), 2: ("written_off", "M2")}
    for st in stores:
        st.write_day(D(2026, 10, 31), {"accounts": _accounts(D(2026, 10, 31), changed)}, {"source": "test"})
    con = compacted.connect()
    snap = dict(con.execute("SELECT account_id, bucket FROM month_end_accounts WHERE day = '2026-10-31'").fetchall())
    assert snap[4] == "M1"
    _same(compacted, daily)


def test_months_compacted_before_the_snapshots_get_theirs(stores):
    compacted, daily = stores
    import shutil

    shutil.rmtree(compacted.root / SNAPSHOT)
    assert rolls._snapshot_days(compacted.connect()) == []
    _same(compacted, daily)  # without snapshots: read from the accounts table, the same answers
    assert compacted.snapshot_month_ends() == ["2026-10", "2026-11"]
    _same(compacted, daily)
    compacted.clear()
    assert not (compacted.root / SNAPSHOT).exists()
