"""The report computations on a real book run through the end-of-day engine (a placement, payments, a back-dated
payment, a recall, gate decisions, a complaint, promises), each checked against an independent computation over
the raw tables (the ORM), read at the time of each run."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from concord.cases import services as cases
from concord.compliance import services as compliance
from concord.compliance.models import Complaint, ContactAttempt, ContactDecision
from concord.conftest import resident_id
from concord.creditors.services import create_placement
from concord.debtors import services as debtors
from concord.eod import adapter
from concord.loans import services as loans
from concord.loans.models import LoanAccount, Payment
from concord.reports import capture
from concord.reports.metrics import Filters, contact, promises, recovery, rolls
from concord.workbench.models import Promise
from concord.workbench.promises import record_promise

SH = ZoneInfo("Asia/Shanghai")
PLACED = dt.date(2026, 11, 28)
START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 31)
pytestmark = pytest.mark.clock("2027-01-04T10:00:00+08:00")


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _pay(account, amount, day, ref):
    payment, _ = loans.record_payment(None, account=account, amount=Decimal(amount), channel="bank_transfer",
                                      paid_at=_at(day), external_reference=ref)
    return payment


def _placed_book(world):
    placement = create_placement(None, world.creditors["bank"], reference="P-2026-11", placed_on=PLACED,
                                 return_on=dt.date(2027, 5, 28))
    out = []
    for n, (name, collector, team) in enumerate([("赵六", "col_a", "A"), ("钱七", "col_a", "A"), ("孙八", "col_b", "B")]):
        debtor, _ = debtors.find_or_register_debtor(None, full_name=name, id_number=resident_id(seq=500 + n))
        case, _ = cases.open_case(None, creditor=world.creditors["bank"], debtor=debtor, placement=placement,
                                  opened_on=PLACED)
        loans.open_account(None, case=case, product=world.creditors["bank"].products.get(kind="online_loan"),
                           reference=f"P-LOAN-{n}", contract_amount=Decimal(12000), annual_rate=Decimal("0.18"),
                           method="equal_installment", term_months=12, start_date=dt.date(2026, 1, 10),
                           as_of=PLACED, paid_instalments=2 + n)
        cases.assign_case(None, case, collector=world.users[collector], team=world.teams[team])
        out.append(LoanAccount.objects.get(case=case))
    return placement, out


def _raw_states():
    return {a.pk: ("paid_off" if a.status == "settled" else a.status if a.status != "open" else a.bucket,
                   int(a.total_balance * 100), a.status)
            for a in LoanAccount.objects.filter(case__isnull=False)}


def test_reports_equal_the_raw_tables(world):
    qualify = lambda u: [compliance.record_qualification(None, user=u, kind=k, passed_on=dt.date(2026, 6, 1))
                         for k in ("pre_job_training", "pre_job_exam")]
    qualify(world.users["col_a"])
    with time_machine.travel(dt.datetime(2026, 11, 28, 9, tzinfo=SH), tick=True):  # placed and assigned that day
        placement, (acc1, acc2, acc3) = _placed_book(world)
    snapshots = {}
    adapter.run_eod(PLACED)
    placed_fen = {a: s[1] for a, s in _raw_states().items() if a in (acc1.pk, acc2.pk, acc3.pk)}
    placed_bucket = {a.pk: a.bucket for a in LoanAccount.objects.filter(pk__in=placed_fen)}  # after the first run
    with time_machine.travel(dt.datetime(2026, 11, 29, 12, tzinfo=SH), tick=True):
        _pay(acc1, "500.00", dt.date(2026, 11, 29), "R-1")
    adapter.run_eod(dt.date(2026, 11, 30))
    snapshots["11-30"] = _raw_states()
    # contacts through the gate on 12-02: two calls made, one refused at night
    case_a = world.cases["a"]
    for minute, outcome in ((0, "conversation"), (20, "no_answer")):
        d = compliance.decide_contact(world.users["col_a"], case=case_a, channel="call", number="13812348000",
                                      at=dt.datetime(2026, 12, 2, 10, minute, tzinfo=SH))
        compliance.record_contact_outcome(world.users["col_a"], d, outcome=outcome,
                                          at=dt.datetime(2026, 12, 2, 10, minute + 1, tzinfo=SH))
    compliance.decide_contact(world.users["col_a"], case=case_a, channel="call", number="13812348000",
                              at=dt.datetime(2026, 12, 2, 22, 30, tzinfo=SH))
    with time_machine.travel(dt.datetime(2026, 12, 2, 11, tzinfo=SH), tick=True):  # the promise is made that day
        promise = record_promise(world.users["col_a"], acc2.case, amount=Decimal("300.00"),
                                 due_date=dt.date(2026, 12, 8))
    compliance.open_complaint(None, debtor=acc3.case.debtor, creditor=acc3.creditor, source="phone",
                              category="conduct", summary="催收员态度问题", case=acc3.case, received_at=_at(dt.date(2026, 12, 3)))
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=SH), tick=True):  # keeps the promise
        _pay(acc2, "300.00", dt.date(2026, 12, 5), "R-2")
        _pay(acc3, "100.00", dt.date(2026, 12, 5), "R-4")  # team B
    adapter.run_eod(dt.date(2026, 12, 10))
    # after the run of 12-10: a payment dated 12-06 (back-dated) and the recall of account 3 on 12-15
    _pay(acc1, "200.00", dt.date(2026, 12, 6), "R-3")
    cases.recall_accounts(None, [acc3], reason="委托方撤回", on=dt.date(2026, 12, 15))
    adapter.run_eod(dt.date(2026, 12, 31))
    snapshots["12-31"] = _raw_states()
    con = capture.store().connect()

    # cash by day: the unreversed payments of each local day
    raw_cash = defaultdict(int)
    for p in Payment.objects.filter(reversed_at__isnull=True, account__case__isnull=False):
        day = timezone.localtime(p.paid_at).date()
        if START <= day <= END:
            raw_cash[day] += int(p.amount * 100)
    got_cash = {r["day"]: r["recovered_fen"] for r in recovery.cash_by_day(con, START, END) if r["recovered_fen"]}
    assert got_cash == dict(raw_cash) and got_cash[dt.date(2026, 12, 6)] == 20000

    # the vintage of the placement: its balance when placed, and every payment since
    vintage = [r for r in recovery.by_vintage(con, START, END) if r["month"] == dt.date(2026, 11, 1)]
    assert len(vintage) == 1 and vintage[0]["accounts"] == 3
    assert vintage[0]["placed_fen"] == sum(placed_fen.values())
    recovered = sum(int(p.amount * 100) for p in Payment.objects.filter(
        account__case__placement=placement, reversed_at__isnull=True))
    assert vintage[0]["recovered_fen"] == recovered == 110000
    assert vintage[0]["d30_fen"] == recovered  # all of it within 30 days of the placement

    # by bucket at placement: each account's bucket after the first run on or after its placement
    expected_buckets = defaultdict(lambda: [0, 0, 0])
    for acc, bucket in placed_bucket.items():
        expected_buckets[bucket][0] += 1
        expected_buckets[bucket][1] += placed_fen[acc]
        expected_buckets[bucket][2] += sum(int(p.amount * 100) for p in Payment.objects.filter(
            account_id=acc, reversed_at__isnull=True))
    got_buckets = {r["bucket"]: [r["accounts"], r["placed_fen"], r["recovered_fen"]]
                   for r in recovery.by_placement_bucket(con, START, END)}
    assert got_buckets == dict(expected_buckets) and len(got_buckets) >= 2  # the three accounts were not all alike

    # roll rates from the November to the December month end: the states the raw tables held after each run
    expected = Counter()
    totals = Counter()
    for acc, (state, balance, status) in snapshots["11-30"].items():
        if status != "open" or acc not in snapshots["12-31"]:
            continue
        expected[(state, snapshots["12-31"][acc][0])] += 1
        totals[state] += 1
    cells = rolls.matrix(con, START, END)
    assert {(c["from_bucket"], c["to_bucket"]): c["accounts"] for c in cells} == dict(expected)
    assert any(c["to_bucket"] == "recalled" for c in cells)
    for c in cells:
        assert c["rate"] == round(expected[(c["from_bucket"], c["to_bucket"])] / totals[c["from_bucket"]], 4)

    # promises, contacts, denials and complaints: the raw tables' rows of the period
    by_collector = {r["collector_id"]: r for r in promises.by_collector(con, START, END)}
    col_a = world.users["col_a"].pk
    promise.refresh_from_db()
    assert by_collector[col_a]["made"] == Promise.objects.filter(created_by_id=col_a).count() == 1
    assert by_collector[col_a]["conversations"] == ContactAttempt.objects.filter(
        collector_id=col_a, outcome="conversation", party_kind="debtor").count() == 1
    resolved = Counter(Promise.objects.filter(resolved_at__isnull=False).values_list("status", flat=True))
    assert {k: by_collector[col_a][k] for k in ("kept", "partial", "broken") if by_collector[col_a][k]} == dict(resolved)
    calls = {r["channel"]: r for r in contact.attempts(con, START, END)}
    assert calls["call"]["attempts"] == ContactAttempt.objects.filter(direction="outbound").count() == 2
    assert calls["call"]["rpc"] == 1
    denied = Counter(r for d in ContactDecision.objects.filter(allowed=False) for r in d.rules)
    assert {r["rule"]: r["denials"] for r in contact.denials(con, START, END)} == dict(denied)
    assert contact.complaints(con, START, END)["complaints"] == Complaint.objects.count() == 1

    # a team lead's view: only team A's accounts
    team_a = world.teams["A"].pk
    only_a = recovery.cash_by_day(con, START, END, Filters(teams=(team_a,)))
    raw_a = sum(int(p.amount * 100) for p in Payment.objects.filter(
        reversed_at__isnull=True, account__case__assigned_team_id=team_a))
    assert sum(r["recovered_fen"] for r in only_a) == raw_a == 100000
