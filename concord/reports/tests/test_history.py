"""The daily history kept by the end-of-day run: each run's day written whole, reruns give the same day, back-dated
payments restate every day they reach, and days before the history began are rebuilt from the raw tables."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concord.eod import adapter
from concord.loans.models import LoanAccount, Payment
from concord.reports import capture
from concord.reports.store import TABLES, HistoryStore

AS_OF = dt.date(2026, 11, 28)
D1, D2, D3 = AS_OF, AS_OF + dt.timedelta(days=1), AS_OF + dt.timedelta(days=2)


def _rows(day, table="accounts"):
    key = {"accounts": "account_id", "payments": "payment_id"}[table]
    return {r[key]: r for r in capture.store().read(table, day).to_pylist()}


def _pay(account, amount, day, ref):
    from concord.loans import services as loans

    payment, _created = loans.record_payment(
        None, account=account, amount=Decimal(amount), channel="bank_transfer",
        paid_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))), external_reference=ref)
    return payment


def test_each_run_keeps_its_day_as_the_database_holds_it(world):
    adapter.run_eod(D1)
    st = capture.store()
    assert st.days() == [D1]
    assert st.meta(D1)["source"] == "eod"
    rows = _rows(D1)
    accounts = LoanAccount.objects.filter(case__isnull=False).select_related("case")
    assert set(rows) == {a.pk for a in accounts}
    for account in accounts:  # independently: the account and its case as the run left them
        row = rows[account.pk]
        assert row["bucket"] == account.bucket and row["dpd"] == account.dpd and row["status"] == account.status
        assert row["balance_fen"] == int(account.total_balance * 100)
        assert (row["team_id"], row["collector_id"]) == (account.case.assigned_team_id,
                                                         account.case.assigned_collector_id)
        assert row["creditor_id"] == account.creditor_id and row["segment"] == account.case.eod_state.segment
    # every table of the day exists (facts may be empty) and DuckDB reads them by day
    for name in TABLES:
        assert (st.root / name / f"day={D1.isoformat()}" / "part.parquet").exists()
    con = st.connect()
    assert con.execute("SELECT count(*), min(day) FROM accounts").fetchone() == (len(rows), D1)


def test_rerun_of_the_same_day_gives_the_same_day(world):
    adapter.run_eod(D1)
    first = {n: capture.store().read(n, D1) for n in TABLES}
    adapter.run_eod(D1)
    again = {n: capture.store().read(n, D1) for n in TABLES}
    assert all(first[n].equals(again[n]) for n in TABLES)
    assert capture.store().days() == [D1]


def test_a_backdated_payment_restates_every_day_it_reaches(world):
    account = LoanAccount.objects.get(reference="LOAN-0002")
    other = LoanAccount.objects.exclude(pk=account.pk).filter(case__isnull=False).first()
    adapter.run_eod(D1)
    adapter.run_eod(D2)
    before = {d: _rows(d) for d in (D1, D2)}
    # recorded after the run of D2, dated D1
    payment = _pay(account, "300.00", D1, "BACK-1")
    applied = int(payment.amount * 100) - int(Decimal(payment.allocation.get("remainder", "0")) * 100)
    run = adapter.run_eod(D3)
    assert run.recomputed_from == D1
    after = {d: _rows(d) for d in (D1, D2)}
    for day in (D1, D2):
        assert after[day][account.pk]["balance_fen"] == before[day][account.pk]["balance_fen"] - applied
        assert after[day][other.pk] == before[day][other.pk]  # other accounts untouched
        assert capture.store().meta(day)["restated"]
    assert after[D1][account.pk]["paid_fen"] == 30000 and after[D2][account.pk]["paid_fen"] == 0
    assert _rows(D1, "payments")[payment.pk]["amount_fen"] == 30000
    # the restated days equal, independently, the raw tables: paid today = the day's unreversed payments
    for day in (D1, D2):
        start, end = capture.bounds(day)
        for acc_id, row in after[day].items():
            raw = sum(int(p.amount * 100) for p in Payment.objects.filter(
                account_id=acc_id, paid_at__gte=start, paid_at__lt=end, reversed_at__isnull=True))
            assert row["paid_fen"] == raw

    # the payment is reversed after D3's run: the next run restates D1..D3 back
    from concord.loans import services as loans

    loans.reverse_payment(None, payment=payment, reason="测试冲正")
    adapter.run_eod(D3 + dt.timedelta(days=1))
    for day in (D1, D2):
        assert _rows(day)[account.pk]["balance_fen"] == before[day][account.pk]["balance_fen"]
        assert _rows(day)[account.pk]["paid_fen"] == 0
    assert _rows(D1, "payments")[payment.pk]["reversed"] is True


def test_backfill_rebuilds_days_before_the_history_and_keeps_kept_days(world):
    adapter.run_eod(D2)
    kept = capture.store().read("accounts", D2)
    written = capture.backfill(D1, D2)
    assert written == [D1]
    assert capture.store().read("accounts", D2).equals(kept)
    assert capture.store().meta(D1)["source"] == "backfill"
    rows = _rows(D1)
    for account in LoanAccount.objects.filter(case__isnull=False):
        assert rows[account.pk]["bucket"] and rows[account.pk]["dpd"] >= 0


def test_store_replaces_a_day_whole_and_refuses_unknown_tables(tmp_path):
    import pyarrow as pa

    st = HistoryStore(tmp_path)
    with pytest.raises(ValueError, match="unknown tables"):
        st.write_day(D1, {"nope": pa.table({})}, {})
    with pytest.raises(ValueError, match="missing columns"):
        st.write_day(D1, {"payments": pa.table({"payment_id": [1]})}, {})
    assert st.days() == []  # nothing half-written
    st.write_day(D1, {}, {"source": "test"})
    assert st.read("accounts", D1).num_rows == 0 and st.meta(D1)["source"] == "test"
    assert not list(tmp_path.rglob(".*"))  # no staging directories left


def test_a_closed_month_is_compacted_and_still_restated_exactly(tmp_path):
    import pyarrow as pa

    from concord.reports.store import ACCOUNTS

    st = HistoryStore(tmp_path)
    base = {"case_id": 1, "creditor_id": 1, "product_id": 1, "placement_id": 1, "placed_on": D1, "team_id": 1,
            "collector_id": 2, "status": "open", "bucket": "M1", "dpd": 5, "paid_fen": 0, "segment": None,
            "score": None, "treatment": None}

    def day_table(day, paid=0):
        rows = [{**base, "account_id": a, "balance_fen": 1000 * a - paid, "paid_fen": paid if a == 2 else 0}
                for a in (3, 1, 2)]
        return pa.Table.from_pylist(rows, schema=ACCOUNTS)

    days = [dt.date(2026, 11, 29), dt.date(2026, 11, 30), dt.date(2026, 12, 1)]
    for day in days:
        st.write_day(day, {"accounts": day_table(day)}, {"source": "test"})
    before = {d: st.read("accounts", d) for d in days}
    assert st.compact_before(dt.date(2026, 12, 1)) == ["2026-11"]
    assert (tmp_path / "accounts" / "month=2026-11" / "part.parquet").exists()
    assert not list((tmp_path / "accounts").glob("day=2026-11-*"))
    assert all(st.read("accounts", d).equals(before[d]) for d in days)
    assert [r["account_id"] for r in st.read("accounts", days[0]).to_pylist()] == [1, 2, 3]
    con = st.connect()
    assert con.execute("SELECT count(*), count(DISTINCT day) FROM accounts").fetchone() == (9, 3)
    # a restatement of a compacted day rewrites the month with only that day changed
    st.write_day(days[0], {"accounts": day_table(days[0], paid=300)}, {"source": "test"})
    assert st.read("accounts", days[0]).equals(day_table(days[0], paid=300).sort_by("account_id"))
    assert st.read("accounts", days[1]).equals(before[days[1]])
    assert st.compact_before(dt.date(2026, 12, 1)) == []
