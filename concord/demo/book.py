"""The demo book in memory: creditors, placement batches, cases and their accounts, before anything is written.

Every random choice of the contracts comes from the ledger stream (``random.Random("concord-ledger-<seed>")``), drawn
in the same order whatever the as-of date, so another as-of date moves dates and balances but never changes who
borrowed what. Days past due are drawn for the as-of date (the book's buckets on the demo's today, M1…M7+ weighted
like a real book, the first accounts of each product kind cycling through every bucket); each account reaches the
agency in the first placement batch that finds it at least one day overdue, and is opened as the creditor states it
that day (``ledger.open_loan`` / ``ledger.open_card``: the services' own math).
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from concord.loans.models import ProductKind
from concord.loans import schedule
from concord.loans.delinquency import BUCKETS
from concord.loans.models import RepaymentMethod

from . import ledger
from .borrowers import Borrower, pct

CENT = Decimal("0.01")

#: Days of activity (calls, messages, promises, payments, end-of-day runs) before the as-of date.
HISTORY_DAYS = 60
#: Days before the as-of date on which each creditor's placement batches (委案批次) arrived: every two weeks from the
#: first day of the history, and today's (its cases wait in the pool for tonight's end-of-day allocation).
BATCH_OFFSETS = (60, 46, 32, 18, 4, 0)


@dataclass(frozen=True)
class CreditorSpec:
    code: str
    name: str
    kind: str
    policy_pack: str
    product_kind: str
    prefix: str  # of account and placement references
    share: int  # percent of debtors whose main creditor this is
    return_days: int  # placement length until 退案
    commission: dict


CREDITORS = (
    CreditorSpec("hsbank", "华盛银行信用卡中心", "bank", "cn_bank", ProductKind.CREDIT_CARD, "HS", 45, 180,
                 {"M1": "0.08", "M2": "0.12", "M3": "0.15", "M4": "0.18", "M5": "0.22", "M6": "0.28",
                  "M7+": "0.35"}),
    CreditorSpec("jiexin", "捷信贷", "platform", "cn_online_lending", ProductKind.ONLINE_LOAN, "JX", 30, 90,
                 {"M1": "0.10", "M2": "0.14", "M3": "0.18", "M4": "0.22", "M5": "0.26", "M6": "0.30",
                  "M7+": "0.38"}),
    CreditorSpec("xiaoyu", "小鱼金融", "platform", "cn_online_lending", ProductKind.ONLINE_LOAN, "XY", 25, 90,
                 {"M1": "0.10", "M2": "0.15", "M3": "0.20", "M4": "0.24", "M5": "0.28", "M6": "0.32",
                  "M7+": "0.40"}),
)
SECOND_CREDITOR_SHARE = 0.05

OVERDUE_BUCKETS = BUCKETS[1:]  # M1 … M7+
BUCKET_WEIGHTS = [28, 18, 14, 10, 8, 7, 15]
CARD_LIMITS = [5000, 8000, 10000, 15000, 20000, 30000, 50000, 80000, 100000]
LOAN_TERMS, LOAN_TERM_WEIGHTS = [3, 6, 12, 24], [15, 30, 40, 15]
LOAN_METHODS = [RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL, RepaymentMethod.INTEREST_ONLY,
                RepaymentMethod.BULLET]
LOAN_METHOD_WEIGHTS = [70, 15, 10, 5]


def dpd_in(rng: random.Random, bucket: str) -> int:
    """Days past due inside ``bucket``, kept 2–4 days off its edges (due dates are moved to day ≤ 28)."""
    if bucket == "M7+":
        return min(rng.randint(183, 420), rng.randint(183, 800))
    k = OVERDUE_BUCKETS.index(bucket) + 1
    return rng.randint(30 * (k - 1) + 2, 30 * k - 4)


def due_date_for(as_of: dt.date, dpd: int) -> dt.date:
    """The due date ``dpd`` days before ``as_of``, moved back to the 28th at the latest (a valid repayment day
    in every month, so a schedule built back from it lands on it exactly)."""
    due = as_of - dt.timedelta(days=dpd)
    return due.replace(day=28) if due.day > 28 else due


def batch_offset(overdue_on: dt.date, as_of: dt.date) -> int:
    """The placement batch (days before ``as_of``) that first finds an account due on ``overdue_on`` overdue."""
    for offset in BATCH_OFFSETS:
        if as_of - dt.timedelta(days=offset) > overdue_on:
            return offset
    return 0


@dataclass(eq=False)
class CaseRec:
    """One debtor's accounts with one creditor, in memory; ``pk`` once written."""

    index: int
    borrower: Borrower
    spec: CreditorSpec
    accounts: list[ledger.Account]
    visit_draw: float  # the field team takes late cases with assets when this is low
    placed_on: dt.date = None
    pk: int | None = None
    reference: str = ""
    status: str = "new"
    team: object = None  # staff.Team
    collector: object = None  # staff.User
    assigned_on: dt.date | None = None
    closed_on: dt.date | None = None
    total_balance: Decimal = Decimal("0.00")
    max_dpd: int = 0
    bucket: str = "M0"
    work: object = None  # the history's state of the case (concord.demo.history.Work)

    def accounts_on(self, day: dt.date) -> list[ledger.Account]:
        """The accounts the agency holds on ``day``."""
        return [a for a in self.accounts if a.placed_on <= day]

    def refresh(self, day: dt.date) -> None:
        """Totals from the open accounts held on ``day`` (``cases.services.refresh_case_summary``)."""
        self.total_balance, self.max_dpd, self.bucket = ledger.case_figures(self.accounts_on(day))


class BookFactory:
    """Cases and accounts for one borrower at a time, from the ledger stream."""

    def __init__(self, rng: random.Random, as_of: dt.date, products: dict[str, dict[str, ledger.ProductTerms]]):
        self.rng, self.as_of, self.products = rng, as_of, products
        self.bucket_cycle = Counter()  # accounts opened per product kind
        self.account_seq = Counter()  # per creditor
        self.cases: list[CaseRec] = []

    def borrower_cases(self, borrower: Borrower) -> list[CaseRec]:
        specs, weights = list(CREDITORS), [c.share for c in CREDITORS]
        main = self.rng.choices(specs, weights)[0]
        owed = [main]
        if self.rng.random() < SECOND_CREDITOR_SHARE:
            owed.append(self.rng.choice([c for c in specs if c is not main]))
        return [self._case(borrower, spec) for spec in owed]

    def _case(self, borrower: Borrower, spec: CreditorSpec) -> CaseRec:
        rng = self.rng
        if spec.product_kind == ProductKind.CREDIT_CARD:
            count = 2 if rng.random() < 0.06 else 1
            opener = self._card
        else:
            r = rng.random()
            count = 3 if r < 0.04 else 2 if r < 0.18 else 1
            opener = self._loan
        accounts = [opener(spec) for _ in range(count)]
        case = CaseRec(len(self.cases), borrower, spec, accounts, visit_draw=rng.random())
        case.placed_on = min(a.placed_on for a in accounts)
        for account in accounts:
            account.case = case
        self.cases.append(case)
        return case

    def _next_bucket(self, product_kind: str) -> str:
        """The first accounts of each product kind cycle through every bucket; the rest follow the weights."""
        n = self.bucket_cycle[product_kind]
        self.bucket_cycle[product_kind] += 1
        if n < len(OVERDUE_BUCKETS):
            return OVERDUE_BUCKETS[n]
        return self.rng.choices(OVERDUE_BUCKETS, BUCKET_WEIGHTS)[0]

    def _reference(self, spec: CreditorSpec, kind: str, start: dt.date) -> str:
        self.account_seq[spec.code] += 1
        return f"{spec.prefix}{kind}{start:%Y%m%d}{self.account_seq[spec.code]:07d}"

    def _placed_on(self, overdue_on: dt.date) -> dt.date:
        return self.as_of - dt.timedelta(days=batch_offset(overdue_on, self.as_of))

    def _card(self, spec: CreditorSpec) -> ledger.Account:
        rng = self.rng
        dpd = dpd_in(rng, self._next_bucket(ProductKind.CREDIT_CARD))
        overdue_on = due_date_for(self.as_of, dpd)
        limit = Decimal(rng.choice(CARD_LIMITS))
        principal = limit * pct(rng, 40, 105) + Decimal(rng.randint(0, 99)) / 100
        principal = min(max(principal, Decimal(2000)), Decimal(80000)).quantize(CENT)
        extra_days = rng.randint(20, 50)
        start = overdue_on - dt.timedelta(days=rng.randint(180, 2500))
        placed_on = self._placed_on(overdue_on)
        # the interest on the statement the creditor sends with the placement
        days = min((placed_on - overdue_on).days + extra_days, 400)
        interest = (principal * Decimal("0.18") * days / 365).quantize(CENT)
        due_day = overdue_on.day
        account = ledger.open_card(
            self.products[spec.code][ProductKind.CREDIT_CARD], reference=self._reference(spec, "C", start),
            credit_limit=limit, annual_rate=Decimal("0.18"), start_date=start, as_of=placed_on,
            statement_day=(due_day - 21) % 28 + 1, due_day=due_day, principal=principal, interest=interest,
            overdue_since=overdue_on)
        account.placed_on = placed_on
        return account

    def _loan(self, spec: CreditorSpec) -> ledger.Account:
        rng = self.rng
        dpd = dpd_in(rng, self._next_bucket(ProductKind.ONLINE_LOAN))
        due = due_date_for(self.as_of, dpd)
        amount = Decimal(min(rng.randint(10, 500), rng.randint(10, 500)) * 100)
        term = rng.choices(LOAN_TERMS, LOAN_TERM_WEIGHTS)[0]
        method = rng.choices(LOAN_METHODS, LOAN_METHOD_WEIGHTS)[0]
        rate = Decimal(rng.randint(20, 48)) * Decimal("0.005")
        if method == RepaymentMethod.BULLET:
            paid, start = 0, schedule.add_months(due, -term)
        else:
            paid = min(rng.randint(0, term - 1), rng.randint(0, term - 1))
            start = schedule.add_months(due, -(paid + 1))  # instalment paid+1 falls due on ``due``
        placed_on = self._placed_on(due)
        account = ledger.open_loan(
            self.products[spec.code][ProductKind.ONLINE_LOAN], reference=self._reference(spec, "L", start),
            contract_amount=amount, annual_rate=rate, method=method, term_months=term, start_date=start,
            as_of=placed_on, paid_instalments=paid)
        account.placed_on = placed_on
        return account
