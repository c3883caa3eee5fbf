"""One rule for a case's summary and one for a DPD's bucket, and the columnar paths that apply them: the
end-of-day engine's CASE expression (on DuckDB) and the write-back's Arrow arrays give exactly what the pure
functions give."""
from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from concord.eod import engine, writeback
from concord.loans import delinquency, summary

TODAY = dt.date(2026, 12, 7)
ACCOUNT_STATUSES = ("open", "settled", "recalled", "written_off")


def test_the_bounds_are_read_off_the_rule():
    bounds = delinquency.bucket_bounds()
    assert bounds[0] == (0, "M0") and bounds[-1] == (None, "M7+")
    assert [name for _high, name in bounds] == list(delinquency.BUCKETS)
    for high, name in bounds[:-1]:
        assert delinquency.bucket(high) == name and delinquency.bucket(high + 1) != name


def test_every_path_buckets_every_dpd_alike():
    dpd = list(range(0, 1200)) + [3650, 36500]
    expected = [delinquency.bucket(d) for d in dpd]
    assert writeback.buckets(pa.array(dpd, pa.int64())).to_pylist() == expected
    table = ibis.memtable({"dpd": dpd})
    con = ibis.duckdb.connect()
    out = con.execute(table.select(bucket=engine.bucket_of(table.dpd)))
    assert list(out["bucket"]) == expected


def test_the_status_rule_over_its_whole_domain():
    table = summary.status_table()
    assert len(table) == len(summary.CASE_STATUSES) * 4
    assert table[("open", False, True)] == table[("new", False, True)] == table[("on_hold", False, True)] == "settled"
    assert table[("open", False, False)] == "open"          # a case without accounts is not settled
    assert table[("settled", True, True)] == "open"
    assert table[("recalled", False, True)] == table[("recalled", True, True)] == "recalled"
    assert table[("closed", True, True)] == "closed"


def test_the_case_statuses_are_the_models():
    from concord.cases.models import ACTIVE_STATUSES, CaseStatus
    from concord.loans.models import AccountStatus

    assert tuple(CaseStatus.values) == summary.CASE_STATUSES
    assert tuple(ACTIVE_STATUSES) == summary.ACTIVE_CASE_STATUSES
    assert AccountStatus.OPEN == summary.OPEN_ACCOUNT
    assert set(AccountStatus.values) == set(ACCOUNT_STATUSES)


accounts = st.lists(st.tuples(st.sampled_from(ACCOUNT_STATUSES), st.integers(0, 10**9), st.integers(0, 900)),
                    max_size=4)
cases = st.lists(st.tuples(st.sampled_from(summary.CASE_STATUSES), accounts, st.booleans()), min_size=1, max_size=25)


def _pure(status, accs, closed):
    return summary.summarize(status, [summary.AccountFigures(*a) for a in accs],
                             closed=TODAY - dt.timedelta(days=9) if closed else None, today=TODAY)


@given(cases)
def test_the_write_back_plans_every_case_as_the_rule_does(book):
    """``eod.writeback.case_plan`` (Arrow, for millions of cases) against ``summary.summarize`` case by case."""
    case_rows, acc_rows = [], []
    for case_id, (status, accs, _closed) in enumerate(book, start=1):
        case_rows.append({"case_id": case_id, "total_fen": 7, "max_dpd": 3, "bucket": "M1", "status": status})
        for status_a, balance, dpd in accs:
            acc_rows.append({"case_id": case_id, "account_id": len(acc_rows) + 1, "total_balance_fen": balance,
                             "dpd": dpd, "status": status_a})
    acc_schema = pa.schema([("case_id", pa.int64()), ("account_id", pa.int64()), ("total_balance_fen", pa.int64()),
                            ("dpd", pa.int64()), ("status", pa.string())])
    plan = writeback.case_plan(pa.Table.from_pylist(case_rows), pa.Table.from_pylist(acc_rows, acc_schema),
                               np.array([], np.int64))
    rows = {r["case_id"]: r for r in plan.rows.to_pylist()}
    for case_id, (status, accs, closed) in enumerate(book, start=1):
        want = _pure(status, accs, closed)
        got = rows[case_id]
        assert (got["total_fen"], got["max_dpd"], got["bucket"], got["status"]) == (
            want.total, want.max_dpd, want.bucket, want.status), (status, accs)
        assert got["closed"] == int(want.status == "settled" and status != "settled")
        assert got["opened"] == int(status == "settled" and want.status == "open")


@given(st.sampled_from(summary.CASE_STATUSES), accounts, st.booleans())
def test_a_summary_adds_up_the_open_accounts(status, accs, closed):
    s = _pure(status, accs, closed)
    open_ = [a for a in accs if a[0] == "open"]
    assert s.total == sum(a[1] for a in open_) and s.max_dpd == max((a[2] for a in open_), default=0)
    assert s.bucket == delinquency.bucket(s.max_dpd)
    if s.status == "settled" and status != "settled":
        assert s.closed_on == TODAY
    elif s.status == "open" and status == "settled":
        assert s.closed_on is None
    else:
        assert s.status == status and s.closed_on == (TODAY - dt.timedelta(days=9) if closed else None)
