"""The demo's ledger replay gives what the ledger services give: the same accounts opened, the same payments
allocated, the same charges after every night — account by account, against ``concord.loans.services``."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from concord.demo import ledger
from concord.demo.portfolio import clock_fixed
from concord.loans import services as loans
from concord.loans.models import LoanAccount

pytestmark = pytest.mark.django_db
STATE = ("principal_balance", "interest_balance", "penalty_balance", "fees_balance", "interest_charged",
         "penalty_accrued", "fees_accrued", "credit_balance", "minimum_payment", "dpd", "bucket", "status")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def same(replayed: ledger.Account, stored: LoanAccount) -> None:
    stored.refresh_from_db()
    assert {f: getattr(replayed, f) for f in STATE} == {f: getattr(stored, f) for f in STATE}
    assert [(i.number, i.due_date, i.principal_due, i.interest_due, i.principal_paid, i.interest_paid)
            for i in replayed.items] == [(i.number, i.due_date, i.principal_due, i.interest_due, i.principal_paid,
                                          i.interest_paid) for i in stored.instalments.order_by("number")]


def open_both(world, rng: random.Random, n: int, opened: dt.date):
    """``n`` loans and cards opened by the ledger service and by the replay, with the same random terms."""
    pairs = []
    for k in range(n):
        card = k % 3 == 0
        creditor = world.creditors["bank" if card else "fin"]
        case = world.cases["a" if card else "b"]
        product = creditor.products.get(kind="credit_card" if card else "online_loan")
        terms = ledger.ProductTerms.of(product)
        reference = f"DIFF-{k:04d}"
        if card:
            overdue = opened - dt.timedelta(days=rng.randint(1, 300))
            args = dict(annual_rate=Decimal("0.18"), start_date=overdue - dt.timedelta(days=rng.randint(30, 900)),
                        statement_day=rng.randint(1, 28), due_day=rng.randint(1, 28),
                        credit_limit=Decimal(rng.choice((5000, 20000, 50000))))
            principal = Decimal(rng.randint(2000, 40000)) + Decimal(rng.randint(0, 99)) / 100
            interest = Decimal(rng.randint(0, 3000)) + Decimal(rng.randint(0, 99)) / 100
            replay = ledger.open_card(terms, reference=reference, as_of=opened, principal=principal,
                                      interest=interest, overdue_since=overdue, **args)
            stored = loans.open_account(None, case=case, product=product, reference=reference,
                                        contract_amount=args["credit_limit"], method="revolving", as_of=opened,
                                        card_principal=principal, card_interest=interest,
                                        card_overdue_since=overdue, **args)
        else:
            method = rng.choice(("equal_installment", "equal_principal", "interest_only", "bullet"))
            term = rng.choice((3, 6, 12, 24))
            paid = 0 if method == "bullet" else rng.randint(0, term - 1)
            args = dict(contract_amount=Decimal(rng.randint(10, 500) * 100),
                        annual_rate=Decimal(rng.randint(20, 48)) * Decimal("0.005"), method=method,
                        term_months=term, start_date=opened - dt.timedelta(days=rng.randint(35, 700)),
                        paid_instalments=paid)
            replay = ledger.open_loan(terms, reference=reference, as_of=opened, **args)
            stored = loans.open_account(None, case=case, product=product, reference=reference, as_of=opened, **args)
        pairs.append((replay, stored))
    return pairs


def test_accounts_open_as_the_ledger_service_opens_them(world):
    rng = random.Random(11)
    for replay, stored in open_both(world, rng, 24, dt.date(2026, 10, 1)):
        same(replay, stored)


def test_payments_and_nights_as_the_services_record_and_accrue_them(world):
    """Sixty nights: the services accrue every night (``accrue_charges``) and record the payments of the day
    (``record_payment``, at the time of day it was paid); the replay closes only when it needs to."""
    rng = random.Random(5)
    opened = dt.date(2026, 9, 1)
    pairs = open_both(world, rng, 12, opened)
    seq = 0
    for offset in range(1, 61):
        day = opened + dt.timedelta(days=offset)
        for replay, stored in pairs:
            if rng.random() < 0.08 and replay.total_balance > 0:  # a payment today, on last night's balances
                ledger.close_through(replay, day - dt.timedelta(days=1))
                amount = min(replay.total_balance, rng.choice((ledger.cure_amount(replay), Decimal(rng.randint(
                    1, 3000)), replay.total_balance))).quantize(Decimal("0.01"))
                if amount <= 0:
                    continue
                at = dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=SHANGHAI)
                seq += 1
                allocation = ledger.pay(replay, amount, day)
                with clock_fixed(at + dt.timedelta(minutes=1)):
                    payment, _created = loans.record_payment(None, account=stored, amount=amount, paid_at=at,
                                                             channel="alipay", external_reference=f"DIFF{seq:06d}")
                assert payment.allocation == allocation
        for _replay, stored in pairs:  # the night
            with clock_fixed(dt.datetime.combine(day, dt.time(23, 30), tzinfo=SHANGHAI)):
                loans.accrue_charges(None, stored, day)
    last = opened + dt.timedelta(days=60)
    assert seq > 10
    for replay, stored in pairs:
        ledger.close_through(replay, last)
        replay.balances_as_of = last
        same(replay, stored)


def test_nights_with_late_fees_under_the_cost_cap(world):
    """A product with a late fee per instalment and a cost cap: a new fee can lower the penalty the cap leaves room
    for, so the replay must accrue on the eve of each fee as the nightly runs do."""
    product = world.creditors["fin"].products.get(kind="online_loan")
    product.late_fee, product.total_cost_cap_rate, product.grace_days = Decimal("80.00"), Decimal("0.24"), 3
    product.save()
    terms = ledger.ProductTerms.of(product)
    rng = random.Random(3)
    for k in range(20):
        opened = dt.date(2026, 6, 1) + dt.timedelta(days=rng.randint(0, 60))
        args = dict(contract_amount=Decimal(rng.randint(5, 60) * 100), annual_rate=Decimal("0.24"),
                    method="equal_installment", term_months=rng.choice((3, 6, 12)),
                    start_date=opened - dt.timedelta(days=rng.randint(40, 200)), paid_instalments=0)
        lazy = ledger.open_loan(terms, reference=f"L{k}", as_of=opened, **args)
        daily = ledger.open_loan(terms, reference=f"L{k}", as_of=opened, **args)
        last = opened + dt.timedelta(days=rng.randint(20, 120))
        day = opened
        while day < last:
            day += dt.timedelta(days=1)
            ledger.accrue(daily, day)  # services.accrue_charges, every night
        ledger.close_through(lazy, last)
        assert (lazy.penalty_accrued, lazy.fees_accrued, lazy.penalty_balance, lazy.fees_balance) == (
            daily.penalty_accrued, daily.fees_accrued, daily.penalty_balance, daily.fees_balance), k


def test_the_replay_refuses_what_the_service_refuses(world):
    product = world.creditors["fin"].products.get(kind="online_loan")
    terms = ledger.ProductTerms.of(product)
    with pytest.raises(ledger.LedgerError, match="start_date"):
        ledger.open_loan(terms, reference="X", contract_amount=Decimal(1000), annual_rate=Decimal("0.1"),
                         method="equal_installment", term_months=6, start_date=dt.date(2026, 12, 1),
                         as_of=dt.date(2026, 11, 1))
    with pytest.raises(ledger.LedgerError, match="method"):
        ledger.open_loan(terms, reference="X", contract_amount=Decimal(1000), annual_rate=Decimal("0.1"),
                         method="revolving", term_months=6, start_date=dt.date(2026, 1, 1), as_of=dt.date(2026, 11, 1))
    with pytest.raises(ledger.LedgerError, match="card_principal"):
        ledger.open_card(terms, reference="X", credit_limit=Decimal(5000), annual_rate=Decimal("0.18"),
                         start_date=dt.date(2026, 1, 1), as_of=dt.date(2026, 11, 1), statement_day=1, due_day=20,
                         principal=Decimal(0), interest=Decimal(0), overdue_since=dt.date(2026, 9, 20))
    account = ledger.open_loan(terms, reference="X", contract_amount=Decimal(1000), annual_rate=Decimal("0.1"),
                               method="bullet", term_months=3, start_date=dt.date(2026, 1, 1),
                               as_of=dt.date(2026, 11, 1))
    with pytest.raises(ledger.LedgerError, match="amount"):
        ledger.pay(account, Decimal(0), dt.date(2026, 11, 2))
