"""The demo's history: sixty days of end-of-day runs, payments that reconcile through the ledger's own math,
promises whose statuses agree with the payments, contacts the compliance gate allows again when they are replayed,
and queues with work on the demo's today. One 120-debtor book for the module (conftest.py)."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from concord.cases.models import Activity, Case
from concord.compliance import live
from concord.compliance.model import Request
from concord.compliance.models import ContactAttempt, ContactDecision
from concord.core import clock
from concord.demo import work
from concord.demo.book import HISTORY_DAYS
from concord.demo.portfolio import ENGINE_DAYS
from concord.eod.models import EodRun, QueueEntry, RunStatus
from concord.loans.allocation import COMPONENTS
from concord.loans.models import LoanAccount, Payment
from concord.outreach.models import OutboundMessage
from concord.staff.models import User

ZERO = Decimal("0.00")


def test_every_night_of_the_history_has_its_end_of_day_run(book, db):
    today = clock.today()
    runs = list(EodRun.objects.order_by("as_of"))
    days = [today - dt.timedelta(days=k) for k in range(HISTORY_DAYS, 0, -1)]
    assert [r.as_of for r in runs] == days  # one run a night, the 60 nights before today
    assert all(r.status == RunStatus.SUCCEEDED and r.summary["accounts"] > 0 for r in runs)
    engine, replayed = runs[-ENGINE_DAYS:], runs[:-ENGINE_DAYS]
    assert {r.engine for r in engine} == {"duckdb"} and all(r.stage_seconds.get("total") for r in engine)
    assert {r.engine for r in replayed} == {"replay"} and all("replay" in " ".join(r.summary["notes"])
                                                              for r in replayed)
    for run in runs:  # the run's summary as the engine writes it, started that night
        assert set(run.summary["buckets"]) == {"M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"}
        assert sum(run.summary["buckets"].values()) == run.summary["accounts"]
        assert clock.local_date(run.started_at) == run.as_of
    # the buckets move from night to night (accounts roll on, payments cure some)
    assert any(f != t for r in runs for f, t, *_ in r.summary["roll_rates"])
    # tonight's queue was planned by the last night's run
    assert QueueEntry.objects.filter(day=today, run=engine[-1]).count() > 0.5 * Case.objects.filter(
        status__in=["open", "new"]).exclude(assigned_collector=None).count()


def test_payments_reconcile_through_the_ledger(book, db):
    payments = defaultdict(list)
    for p in Payment.objects.all():
        payments[p.account_id].append(p)
    assert len(payments) > 0.2 * LoanAccount.objects.count()
    for account in LoanAccount.objects.prefetch_related("instalments"):
        items = list(account.instalments.all())
        paid = payments.get(account.pk, [])
        parts = {c: sum((Decimal(p.allocation["parts"][c]) for p in paid), ZERO) for c in COMPONENTS}
        for p in paid:  # the waterfall splits the whole payment, never more
            assert sum(Decimal(v) for v in p.allocation["parts"].values()) + Decimal(p.allocation["remainder"]) \
                == p.amount
            for c in COMPONENTS:
                assert Decimal(p.allocation["parts"][c]) >= 0
            applied = p.allocation["instalments"]
            assert sum(Decimal(x["principal"]) for x in applied) == Decimal(p.allocation["parts"]["principal"])
            assert sum(Decimal(x["interest"]) for x in applied) == Decimal(p.allocation["parts"]["interest"])
        # what is owed is what was due less what was paid, component by component
        assert account.principal_balance == sum((i.principal_due - i.principal_paid for i in items), ZERO)
        assert account.penalty_balance == account.penalty_accrued - parts["penalty"]
        assert account.fees_balance == account.fees_accrued - parts["fees"]
        assert account.credit_balance == sum((Decimal(p.allocation["remainder"]) for p in paid), ZERO)
        for item in items:
            assert ZERO <= item.principal_paid <= item.principal_due and ZERO <= item.interest_paid <= item.interest_due
        # every payment applied to an instalment is on record: what remains was repaid before the placement
        for item in items:
            applied = sum((Decimal(x["principal"]) for p in paid for x in p.allocation["instalments"]
                           if x["number"] == item.number), ZERO)
            assert item.principal_paid - applied in (ZERO, item.principal_due)
        if account.status == "settled":
            assert account.total_balance == 0
    # the seeder's replay of the ledger agreed with the end-of-day engine on every account, every engine night
    assert "disagreed" not in book["errors"]


def test_promise_statuses_agree_with_the_payments(book, db):
    today = clock.today()
    statuses = Counter()
    for promise in work.Promise.objects.select_related("case", "activity"):
        start = clock.day_start(clock.local_date(promise.made_at))
        end = clock.day_start(promise.due_date + dt.timedelta(days=promise.grace_days + 1))
        paid = Payment.objects.filter(account__case=promise.case, reversed_at__isnull=True, paid_at__gte=start,
                                      paid_at__lt=end).aggregate(s=Sum("amount"))["s"] or ZERO
        assert promise.paid_amount == paid, promise
        assert promise.status == work.promise_status(promise.amount, paid, promise.due_date, promise.grace_days,
                                                     today), promise
        assert (promise.resolved_at is None) == (promise.status == "pending")
        assert promise.resolved_at is None or promise.resolved_at >= promise.made_at
        # made on a call with the debtor, within the product's limits
        assert promise.activity.kind == "call" and "promise" in promise.activity.result_codes
        assert promise.activity.at.date() <= promise.due_date
        assert promise.due_date <= clock.local_date(promise.made_at) + dt.timedelta(days=30)
        statuses[promise.status] += 1
    assert {"kept", "partial", "broken", "pending"} <= set(statuses)
    # a kept promise came with a payment; a broken one with none
    assert statuses["kept"] > 0 and statuses["broken"] > 0


def test_contacts_keep_the_hours_and_the_daily_caps(book, db):
    unanswered, connected = Counter(), Counter()
    hours = set()
    for at, debtor, key, outcome, channel, zone in ContactAttempt.objects.values_list(
            "at", "debtor_id", "number_key", "outcome", "channel", "debtor__time_zone"):
        local = at.astimezone(ZoneInfo(zone))  # the debtor's local time
        assert dt.time(8, 0) <= local.time() < dt.time(21, 0), (at, local)  # inside every pack's hours
        hours.add(local.hour)
        if channel == "call" and outcome in ("no_answer", "busy", "voicemail", "failed"):
            unanswered[(key, local.date())] += 1
        if channel == "call" and outcome == "conversation":
            connected[(debtor, local.date())] += 1
    assert max(unanswered.values()) <= 6  # CN6: unanswered calls per number per day
    assert max(connected.values()) <= 3  # CN2: connected calls per person per day
    assert len(hours) >= 4  # spread over the working day (a small book is done by the afternoon)
    # every contact carries the allow it was made under, and every activity of a contact is one of them
    assert not ContactAttempt.objects.filter(decision__allowed=False).exists()
    assert not Activity.objects.filter(kind__in=["call", "sms"], decision__isnull=True).exists()
    assert Activity.objects.filter(kind="sms").count() == OutboundMessage.objects.count() > 0


def test_the_live_gate_decides_every_contact_the_same_again(book, db):
    """Each stored decision, evaluated again by the live gate on what the database holds at its instant (the
    person's ledger of attempts, their state, the collector's qualifications), gives the same answer."""
    decisions = list(ContactDecision.objects.select_related("debtor", "case", "creditor", "actor",
                                                            "related_party").order_by("at", "id"))
    assert len(decisions) > 1000
    denied = [d for d in decisions if not d.allowed]
    checked = denied + decisions[::7]  # every refusal and a seventh of the allows
    for d in checked:
        person = live.read_person(d.debtor, d.at, creditor_id=d.creditor_id, user_id=d.actor_id)
        template = d.inputs.get("template") or None
        request = Request(d.channel, tuple(d.accounts), d.inputs["party"], d.purpose, number=d.number_key or None,
                          template=template)
        result = live.evaluate_live(d.actor, request, d.at, person.history, live.pack_for(d.creditor, {}),
                                    qualifications=person.qualifications)
        assert result.decision.allowed == d.allowed, (d.pk, d.rules, result.decision.rules)
        assert list(result.decision.rules) == d.rules
    assert denied and all(d.rules for d in denied)  # the gate refused someone (a deceased debtor's number)


def test_the_queues_have_work_today(book, db):
    today = clock.today()
    collectors = User.objects.filter(role="collector")
    assert sum(work.queues.today_queue(u).count() for u in collectors) > 50
    assert all(work.queues.today_queue(u).exists() for u in collectors if Case.objects.filter(
        assigned_collector=u, status__in=["new", "open"]).exists())
    lead = User.objects.get(username="lead1")
    assert work.queues.team_cases(lead).count() > 10
    assert sum(work.queues.promises_due(u, today).count() for u in collectors) + sum(
        work.queues.promises_due(u, today + dt.timedelta(days=1)).count() for u in collectors) > 0
    open_tasks = work.Task.objects.filter(done_at__isnull=True)
    assert open_tasks.exists() and work.Task.objects.filter(done_at__isnull=False).count() > open_tasks.count()
    assert all(t.created_at <= t.done_at for t in work.Task.objects.filter(done_at__isnull=False))
    # two months of the activity log, every day of the week worked
    first, last = Activity.objects.order_by("at").first().at, Activity.objects.order_by("at").last().at
    assert (clock.local_date(last) - clock.local_date(first)).days >= HISTORY_DAYS - 2
    assert len({clock.local_date(a).weekday() for a in Activity.objects.values_list("at", flat=True)}) == 7


@pytest.mark.parametrize("kind", ["call", "sms"])
def test_contacts_name_their_collector_and_the_case_they_were_about(book, db, kind):
    for activity in Activity.objects.filter(kind=kind).select_related("decision", "actor", "case")[:300]:
        assert activity.actor is not None and activity.actor.role in ("collector", "team_lead", "field_agent")
        assert activity.decision.case_id == activity.case_id and activity.decision.allowed
        assert activity.decision.accounts and set(activity.decision.accounts) <= {
            str(pk) for pk in activity.case.accounts.values_list("pk", flat=True)}
