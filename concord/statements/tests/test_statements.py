"""Statements on a seeded book with hand-checked answers: rates by bucket, minimum and cap, a direct payment, a
backdated payment into an approved month and a reversal (both land in the next statement), the legal-track rate, a
recall with a retained case, sliding tiers; approval freezes; the command's JSON lines."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from concord.cases.models import Case
from concord.core.models import AuditEvent
from concord.creditors.models import PlacementAccount
from concord.legal.services import enter_legal
from concord.loans import services as loans
from concord.placements import services as placements
from concord.statements import services
from concord.statements.compute import statement_lines, summarize
from concord.statements.models import StatementStatus
from concord.workbench.promises import record_promise

from .book import at, october, pay, seed_batch

pytestmark = pytest.mark.django_db
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def run_json(code: str, month: str) -> list[dict]:
    out = StringIO()
    call_command("statement", code, "--month", month, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_october_by_bucket_with_minimum_cap_and_a_direct_payment(world):
    seed_batch(world)
    october(world)
    assert run_json("bank", "2026-10") == [
        {"account": "CARD-0001", "date": "2026-10-05", "amount": "1000.00", "commission": "120.00",
         "rule": "bucket M1 12%"},
        {"account": "LOAN-0003", "date": "2026-10-10", "amount": "20.00", "commission": "5.00",
         "rule": "bucket M2 18% minimum"},
        {"account": "CARD-0001", "date": "2026-10-20", "amount": "5000.00", "commission": "500.00",
         "rule": "bucket M1 12% cap"},
        {"account": "LOAN-0003", "date": "2026-10-25", "amount": "800.00", "commission": "0.00", "rule": "direct"},
        # collected 6820; commission 120 + 5 + 500 = 625; remit = (1000 + 20 + 5000) − 625 = 5395
        {"summary": {"payments": 4, "collected": "6820.00", "commission": "625.00", "adjustments": "0.00",
                     "remit": "5395.00"}}]


def test_november_with_adjustments_legal_rate_and_a_recall_with_a_retained_case(world):
    placement = seed_batch(world)
    first, *_ = october(world)
    october_statement = services.approve(world.users["manager"], world.creditors["bank"], OCT)
    frozen_before = run_json("bank", "2026-10")
    # after approval: a backdated October payment and the reversal of an approved one
    pay("LOAN-0003", "2026-10-28", "300.00", "bank_transfer")          # M2 18% → 54.00, lands in November
    loans.reverse_payment("tester", first, reason="退票")               # −1000.00 and −120.00, in November
    assert run_json("bank", "2026-10") == frozen_before                  # an approved statement never changes
    # November
    pay("CARD-0001", "2026-11-03", "400.00")                             # M1 → 48.00
    enter_legal(world.users["manager"], Case.objects.get(pk=world.cases["u"].pk), at=at("2026-11-10"))
    pay("LOAN-0003", "2026-11-15", "200.00")                             # legal track → 30% = 60.00
    record_promise("tester", world.cases["a"], amount=D("500"), due_date=dt.date(2026, 12, 10))
    done = placements.end_period("tester", placement, on=dt.date(2026, 11, 21))
    assert (done["recalled"], done["retained"]) == (1, 1)                # u recalled, a retained (its promise)
    with pytest.raises(ValidationError):
        pay("LOAN-0003", "2026-11-25", "100.00")                         # recalled: the ledger takes no more
    pay("CARD-0001", "2026-11-26", "50.00")                              # retained: M1 → 6.00
    lines = run_json("bank", "2026-11")
    assert lines[:-1] == [
        {"account": "CARD-0001", "date": "2026-11-03", "amount": "400.00", "commission": "48.00",
         "rule": "bucket M1 12%"},
        {"account": "LOAN-0003", "date": "2026-11-15", "amount": "200.00", "commission": "60.00", "rule": "legal 30%"},
        {"account": "CARD-0001", "date": "2026-11-26", "amount": "50.00", "commission": "6.00",
         "rule": "bucket M1 12%"},
        {"account": "LOAN-0003", "date": "2026-10-28", "amount": "300.00", "commission": "54.00",
         "rule": "backdated: bucket M2 18%"},
        {"account": "CARD-0001", "date": "2026-10-05", "amount": "-1000.00", "commission": "-120.00",
         "rule": "reversal: bucket M1 12%"}]
    # collected 400 + 200 + 50 = 650; commission 48 + 60 + 6 + 54 − 120 = 48;
    # adjustments 300 − 1000 = −700; remit = (650 + 300 − 1000) − 48 = −98 (the creditor owes the agency)
    assert lines[-1] == {"summary": {"payments": 3, "collected": "650.00", "commission": "48.00",
                                     "adjustments": "-700.00", "remit": "-98.00"}}
    assert october_statement.totals["commission"] == "625.00"
    # once November is approved, its adjustments are not offered again in December
    services.approve(world.users["manager"], world.creditors["bank"], NOV)
    assert run_json("bank", "2026-12")[-1]["summary"]["adjustments"] == "0.00"


def test_sliding_tiers_use_the_batch_recovery_rate_at_month_end(world):
    seed_batch(world, commission_terms={"tiers": [["0", "0.10"], ["0.05", "0.15"], ["0.10", "0.20"]]})
    PlacementAccount.objects.update(balance=D("10000.00"))               # placed 20,000
    pay("CARD-0001", "2026-10-05", "600.00")
    pay("LOAN-0003", "2026-10-06", "400.00")                             # 1,000 = 5% → 15%
    lines = run_json("bank", "2026-10")
    assert [(l["commission"], l["rule"]) for l in lines[:-1]] == [("90.00", "tier ≥5% 15%"),
                                                                   ("60.00", "tier ≥5% 15%")]


def test_a_payment_before_the_placement_earns_nothing(world):
    seed_batch(world)
    pay("CARD-0001", "2026-09-01", "100.00")
    pay("CARD-0001", "2026-09-08", "100.00")
    assert [(l["commission"], l["rule"]) for l in run_json("bank", "2026-09")[:-1]] == [
        ("0.00", "not placed"), ("12.00", "bucket M1 12%")]


def test_approve_query_close_and_remit(world):
    seed_batch(world)
    october(world)
    bank, manager, viewer = world.creditors["bank"], world.users["manager"], world.users["viewer"]
    with pytest.raises(ValidationError):
        services.approve(manager, bank, dt.date(2026, 12, 1))           # December has not ended
    with pytest.raises(ValidationError):
        services.query(world.users["viewer"], world.creditors["fin"], OCT, comment="?")  # not their creditor
    s = services.query(viewer, bank, OCT, comment="10-25 的 800 元是我方直收，请核对")
    assert s.status == StatementStatus.QUERIED
    with pytest.raises(ValidationError):
        services.close(manager, s)                                       # not approved
    with pytest.raises(ValidationError):
        services.record_remittance(manager, s, amount="5395.00", reference="HK1", paid_on=dt.date(2026, 11, 5))
    s = services.approve(viewer, bank, OCT)
    assert s.status == StatementStatus.APPROVED and s.approved_by == viewer and s.lines.count() == 4
    with pytest.raises(ValidationError):
        services.approve(manager, bank, OCT)
    r = services.record_remittance(manager, s, amount="5395.00", reference="HK20261105", paid_on=dt.date(2026, 11, 5))
    assert r.amount == D("5395.00") and services.remitted(s) == D("5395.00")
    with pytest.raises(ValidationError):
        services.record_remittance(manager, s, amount="1", reference="HK20261105", paid_on=dt.date(2026, 11, 5))
    s = services.close(manager, s)
    assert s.status == StatementStatus.CLOSED
    assert {e.action for e in AuditEvent.objects.filter(action__startswith="statement.")} == {
        "statement.query", "statement.approve", "statement.remit", "statement.close"}


def test_months_are_approved_in_order(world):
    seed_batch(world)
    october(world)
    services.query(world.users["viewer"], world.creditors["bank"], OCT, comment="?")
    with pytest.raises(ValidationError, match="2026-10"):
        services.approve(world.users["manager"], world.creditors["bank"], NOV)


def test_summary_of_no_lines():
    s = summarize([])
    assert (s.payments, s.collected, s.remit) == (0, D("0.00"), D("0.00"))


def test_unknown_creditor_or_month(world):
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="creditor"):
        call_command("statement", "nope", "--month", "2026-10")
    with pytest.raises(CommandError, match="month"):
        call_command("statement", "bank", "--month", "10/2026")
    out = StringIO()
    call_command("statement", "bank", "--month", "2026-10", stdout=out)
    assert "示例银行 2026-10" in out.getvalue()
    assert statement_lines(world.creditors["bank"], OCT)[0] is None
