"""The database adapter: export → engine (DuckDB) → write-back in one transaction, on the ``world`` book."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concord.cases.models import Assignment, Case
from concord.core import clock
from concord.core.models import AuditEvent
from concord.eod import adapter, writeback
from concord.eod.models import AccountState, CaseState, EodRun, QueueEntry
from concord.eod.selectors import queue_for
from concord.loans.models import LoanAccount

AS_OF = dt.date(2026, 11, 28)


def _state():
    acc = list(LoanAccount.objects.order_by("pk").values_list(
        "pk", "dpd", "bucket", "principal_balance", "interest_balance", "penalty_balance", "fees_balance",
        "penalty_accrued", "fees_accrued", "credit_balance", "status", "balances_as_of"))
    cases = list(Case.objects.order_by("pk").values_list(
        "pk", "total_balance", "max_dpd", "bucket", "status", "assigned_team_id", "assigned_collector_id"))
    assignments = list(Assignment.objects.order_by("pk").values_list("pk", "case_id", "collector_id", "ended_at"))
    states = list(CaseState.objects.order_by("pk").values())
    acc_states = list(AccountState.objects.order_by("pk").values())
    queue = list(QueueEntry.objects.order_by("day", "collector_id", "position").values_list(
        "day", "collector_id", "position", "case_id", "channel", "earliest_at"))
    return acc, cases, assignments, states, acc_states, queue


@pytest.mark.django_db(transaction=False)
def test_round_trip_writes_accounts_cases_queue_and_run(world):
    before = {a.pk: a for a in LoanAccount.objects.all()}
    lines = []
    run = adapter.run_eod(AS_OF, progress=lambda stage, sec: lines.append(stage))
    assert run.status == "succeeded" and run.finished_at and not run.error
    assert lines[0] == "export" and lines[-2:] == ["write", "commit"] and "accounts" in lines and "queue" in lines
    assert set(run.stage_seconds) >= {"export", "validate", "accounts", "cases", "allocation", "queue", "write",
                                      "commit", "total"}
    run.refresh_from_db()
    assert run.summary["seconds"] == run.stage_seconds and set(run.summary["written"]["seconds"]) >= {
        "accounts", "cases", "assignments", "queue"}
    s = run.summary
    assert s["accounts"] == LoanAccount.objects.count() == 3 and s["cases"] == 3
    assert sum(s["buckets"].values()) == 3 and s["database"] in ("sqlite", "postgresql")
    for acc in LoanAccount.objects.all():
        old = before[acc.pk]
        assert acc.balances_as_of == AS_OF
        assert acc.penalty_accrued >= old.penalty_accrued  # never lowered
        assert acc.penalty_balance - old.penalty_balance == acc.penalty_accrued - old.penalty_accrued
        assert acc.bucket == AccountState.objects.get(pk=acc.pk).bucket
    for case in Case.objects.all():
        open_acc = case.accounts.filter(status="open")
        assert case.total_balance == sum((a.total_balance for a in open_acc), Decimal(0))
        assert case.max_dpd == max(a.dpd for a in open_acc)
        st = CaseState.objects.get(case=case)
        assert st.as_of == AS_OF and st.segment and st.treatment
    # the unassigned case got a collector through an Assignment row; one audit event for the run
    u = Case.objects.get(pk=world.cases["u"].pk)
    assert u.assigned_collector_id is not None and u.status == "open"
    assert Assignment.objects.filter(case=u, ended_at__isnull=True, reason__startswith="eod:").count() == 1
    assert s["written"]["moves"].get("new") == 1
    assert AuditEvent.objects.filter(action="eod.run", object_id=str(run.pk)).count() == 1
    # the queue of the next day, for each collector
    day = AS_OF + dt.timedelta(days=1)
    assert QueueEntry.objects.filter(day=day).count() == s["queue"]["contacts"] == s["written"]["queue"]
    for entry in QueueEntry.objects.filter(day=day):
        assert entry.case.assigned_collector_id == entry.collector_id
    mine = queue_for(world.users["col_a"], day)
    assert [e.position for e in mine] == sorted(e.position for e in mine)
    assert all(e.collector_id == world.users["col_a"].pk for e in mine)


def test_rerun_same_date_gives_same_state(world):
    adapter.run_eod(AS_OF)
    first = _state()
    events = AuditEvent.objects.count()
    run = adapter.run_eod(AS_OF)
    assert _state() == first
    assert run.summary["recomputed"]["rerun"] is True
    assert run.summary["written"]["accounts"] == 0 and run.summary["written"]["moves"] == {}
    # only the run's own events: its row created, the write-back, the commit's duration added
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[events:]) == [
        "eod.start", "eod.run", "eod.timing"]
    # the next day moves on from it: yesterday's bucket is this run's bucket
    adapter.run_eod(AS_OF + dt.timedelta(days=1))
    for st in AccountState.objects.all():
        assert st.as_of == AS_OF + dt.timedelta(days=1)
        assert st.prev_bucket == dict((r[0], r[2]) for r in first[0])[st.pk]


def test_failure_half_way_leaves_database_unchanged(world, monkeypatch):
    adapter.run_eod(AS_OF)
    before = _state()

    def boom(*args, **kwargs):
        raise RuntimeError("injected failure in the queue write")

    monkeypatch.setattr(writeback, "queue", boom)
    with pytest.raises(RuntimeError, match="injected"):
        adapter.run_eod(AS_OF + dt.timedelta(days=3))
    assert _state() == before
    failed = EodRun.objects.order_by("-pk").first()
    assert failed.status == "failed" and "injected failure" in failed.error
    event = AuditEvent.objects.get(action="eod.fail", object_id=str(failed.pk))
    assert "injected failure" in event.changes["error"]
    monkeypatch.undo()
    again = adapter.run_eod(AS_OF + dt.timedelta(days=3))  # simply started again
    assert again.status == "succeeded"
    assert LoanAccount.objects.filter(balances_as_of=AS_OF + dt.timedelta(days=3)).count() == 3


def test_backdated_payment_recomputes_the_charges_from_its_date(world):
    from concord.loans import services as loans

    account = LoanAccount.objects.get(reference="LOAN-0002")
    adapter.run_eod(AS_OF)
    adapter.run_eod(AS_OF + dt.timedelta(days=1))
    account.refresh_from_db()
    charged_before_last = AccountState.objects.get(pk=account.pk).penalty_before_fen
    assert account.penalty_accrued * 100 > charged_before_last  # the last run charged a day of penalty
    # a payment dated before the last run is recorded afterwards: it clears the overdue instalments
    paid_on = timezone.make_aware(dt.datetime.combine(AS_OF, dt.time(10)))
    loans.record_payment(None, account=account, amount=account.total_balance, paid_at=paid_on,
                         channel="bank_transfer", external_reference="BACK-1")
    run = adapter.run_eod(AS_OF + dt.timedelta(days=2))
    assert run.recomputed_from == AS_OF
    assert run.summary["recomputed"] == {"from": AS_OF.isoformat(), "accounts": 1, "rerun": False}
    account.refresh_from_db()
    # the penalty the last run charged on money already paid is taken back, not charged again
    assert account.penalty_accrued * 100 == charged_before_last
    assert account.dpd == 0 and account.bucket == "M0"
    assert account.total_balance >= 0 and account.credit_balance >= 0


def test_snapshot_refused_writes_nothing(world):
    from concord.eod.validate import SnapshotError

    before = _state()
    with pytest.raises(SnapshotError, match="start_date"):
        adapter.run_eod(dt.date(2025, 1, 1))  # before the contracts start: refused by validation
    assert _state() == before
    assert EodRun.objects.get().status == "failed"


def test_a_date_before_the_last_run_is_refused(world):
    adapter.run_eod(AS_OF)
    before = _state()
    with pytest.raises(ValueError, match="as_of"):
        adapter.run_eod(AS_OF - dt.timedelta(days=1))
    assert _state() == before and EodRun.objects.count() == 1


@pytest.mark.slow
def test_demo_book_round_trip(db):
    """A small demo portfolio (several creditors, products, teams, holds, deceased and lost-contact debtors)
    exports to a valid snapshot, and every case ends with the totals of its open accounts."""
    from concord.compliance.models import Hold
    from concord.demo.portfolio import seed_portfolio

    seed_portfolio(seed=3, debtors=40, as_of=AS_OF)
    run = adapter.run_eod(AS_OF)
    assert run.status == "succeeded"
    assert run.summary["accounts"] == LoanAccount.objects.filter(case__isnull=False).count()
    for case in Case.objects.prefetch_related("accounts"):
        open_acc = [a for a in case.accounts.all() if a.status == "open"]
        assert case.total_balance == sum((a.total_balance for a in open_acc), Decimal(0))
        assert case.max_dpd == max((a.dpd for a in open_acc), default=0)
    day = AS_OF + dt.timedelta(days=1)
    held = set(Hold.objects.filter(released_at__isnull=True).values_list("debtor_id", flat=True))
    for entry in QueueEntry.objects.filter(day=day).select_related("case"):
        assert entry.case.debtor_id not in held and not entry.case.debtor.deceased
        assert not CaseState.objects.get(case=entry.case).held
    again = adapter.run_eod(AS_OF)
    assert again.summary["written"]["accounts"] == 0 and again.summary["written"]["cases"] == 0


def test_command_runs_on_the_database_and_prints_stages(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("eod", "run", "--as-of", "2026-11-28", stdout=out)
    text = out.getvalue()
    for word in ("export", "accounts", "allocation", "write", "commit", '"buckets"', "succeeded"):
        assert word in text
    assert EodRun.objects.get().status == "succeeded"


def test_a_second_run_is_refused_while_one_is_in_progress(world):
    from django.db import connection

    if connection.vendor != "postgresql":  # SQLite: one writer at a time by construction; the run simply works
        assert adapter.run_eod(AS_OF).status == "succeeded"
        return
    import psycopg

    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                            password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [adapter.LOCK_KEY])
        with pytest.raises(adapter.RunInProgress):
            adapter.run_eod(AS_OF)
        assert not EodRun.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [adapter.LOCK_KEY])
        assert adapter.run_eod(AS_OF).status == "succeeded"
    finally:
        other.close()


def test_promises_and_agreed_arrangements_are_read(world):
    from concord.arrangements.models import Arrangement, ArrangementInstalment
    from concord.workbench.models import Promise

    now = timezone.make_aware(dt.datetime(2026, 11, 20, 10))

    def plan(case, status):
        arr = Arrangement.objects.create(case=case, kind="instalment", status=status, balance=Decimal("1000"),
                                         total=Decimal("1000"), months=2, monthly_amount=Decimal("500"),
                                         first_due=dt.date(2026, 12, 10), reason="test", proposed_at=now)
        for n in (1, 2):
            ArrangementInstalment.objects.create(arrangement=arr, number=n, due_date=dt.date(2026, 12, 10) + dt.timedelta(days=31 * (n - 1)),
                                                 amount=Decimal("500"))

    plan(world.cases["b"], "active")
    plan(world.cases["u"], "proposed")  # not agreed: does not count
    Promise.objects.create(case=world.cases["a"], amount=Decimal("300"), due_date=dt.date(2026, 12, 5),
                           made_at=now)
    run = adapter.run_eod(AS_OF)
    assert run.summary["notes"] == []
    b, u, a = (CaseState.objects.get(case=world.cases[k]) for k in ("b", "u", "a"))
    assert b.arrangement is True and b.segment == "arrangement" and b.channel == "none"
    assert u.arrangement is False
    assert a.promise_state == "pending" and a.segment == "promise"
    assert run.summary["promises"]["pending"] == 1


def test_case_figures_and_moves_are_written_together_and_a_skipped_case_keeps_its_figures(world):
    """``writeback.cases`` writes the plan's figures and the allocation's moves in one UPDATE: a new case that
    gets a collector becomes open with its new figures; a case holding an account skipped this time (a payment
    arrived while the engine ran) keeps its figures and status but still takes its move."""
    import numpy as np
    import pyarrow as pa

    from concord.eod.export import export

    a, b, u = (Case.objects.get(pk=world.cases[k].pk) for k in ("a", "b", "u"))
    assert u.status == "new" and u.assigned_collector_id is None
    ex = export(AS_OF)
    accounts = list(LoanAccount.objects.order_by("pk").values_list("pk", "case_id"))
    acc_out = pa.table({"account_id": pa.array([p for p, _c in accounts], pa.int64()),
                        "case_id": pa.array([c for _p, c in accounts], pa.int64()),
                        "total_balance_fen": pa.array([12_345] * len(accounts), pa.int64()),
                        "dpd": pa.array([45] * len(accounts), pa.int64()),
                        "status": pa.array(["open"] * len(accounts))})
    skipped = LoanAccount.objects.get(case=b).pk
    col_a, team_a = world.users["col_a"], world.teams["A"]
    allocation = pa.table({"case_id": pa.array([u.pk, b.pk, a.pk], pa.int64()),
                           "team_id": pa.array([team_a.pk] * 3, pa.int64()),
                           "collector_id": pa.array([col_a.pk] * 3, pa.int64()),
                           "reason": ["new", "rotation", "kept"]})
    plan = writeback.case_plan(ex.cases_db, acc_out, np.array([skipped], np.int64))
    moved, counts = writeback.moves(allocation, ex.cases_db, plan.after)
    assert counts == {"new": 1, "rotation": 1}  # a stays with col_a: not a move
    assert writeback.cases(plan, moved, AS_OF) == (3, 0)
    assert writeback.assignments(moved, None, clock.now()) == 2
    a2, b2, u2 = (Case.objects.get(pk=c.pk) for c in (a, b, u))
    assert (u2.total_balance, u2.max_dpd, u2.bucket, u2.status) == (Decimal("123.45"), 45, "M2", "open")
    assert u2.assigned_collector_id == col_a.pk and u2.assigned_team_id == team_a.pk
    assert (a2.total_balance, a2.max_dpd, a2.bucket, a2.status) == (Decimal("123.45"), 45, "M2", a.status)
    assert a2.assigned_collector_id == col_a.pk
    assert (b2.total_balance, b2.max_dpd, b2.bucket, b2.status) == (b.total_balance, b.max_dpd, b.bucket, b.status)
    assert b2.assigned_collector_id == col_a.pk and b2.assigned_team_id == team_a.pk
    assert Assignment.objects.filter(case=b, ended_at__isnull=True).get().reason == "eod:rotation"
    assert Assignment.objects.filter(case=u, ended_at__isnull=True).get().reason == "eod:new"
