"""A realistic, deterministic demo portfolio, built only through the services (actor: system).

Same seed and as-of date → same book: every random choice comes from one ``random.Random(seed)`` and one
``Faker("zh_CN")`` seeded with it, and every date is an offset from ``as_of`` (never from the wall clock).

The book: a bank's credit-card portfolio (``hsbank``, ~45% of debtors) and two online lending platforms
(``jiexin``, ``xiaoyu``, ~55%), one placement (委案批次) each; ~5% of debtors also owe a second creditor.
Accounts are spread over the buckets M1…M7+ weighted like a real book (more early than late), and the first
accounts of each product kind cycle through every bucket so even a tiny seed covers them all. ~40% of
accounts have 1–4 partial payments, always smaller than what would clear the oldest overdue instalment, so a
payment never moves an account out of its bucket. Cases go to the team for their bucket (a few late ones with
assets to the field team), round-robin among its collectors; ~5% stay unassigned.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Sum
from faker import Faker

from concord.cases import services as cases
from concord.cases.models import Case, CaseStatus
from concord.core import clock
from concord.creditors.models import Creditor
from concord.loans.models import ProductKind
from concord.creditors.services import add_creditor, create_placement
from concord.debtors.models import Debtor
from concord.loans import schedule
from concord.loans import services as loans
from concord.loans.delinquency import BUCKETS, bucket
from concord.loans.models import LoanAccount, Payment, PaymentChannel, RepaymentMethod
from concord.staff.models import User

from . import staffing
from .borrowers import BorrowerFactory, pct
from .people import PeopleFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
CHUNK = 200  # debtors per transaction


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
PAYING_SHARE = 0.40

OVERDUE_BUCKETS = BUCKETS[1:]  # M1 … M7+
BUCKET_WEIGHTS = [28, 18, 14, 10, 8, 7, 15]
CARD_LIMITS = [5000, 8000, 10000, 15000, 20000, 30000, 50000, 80000, 100000]
LOAN_TERMS, LOAN_TERM_WEIGHTS = [3, 6, 12, 24], [15, 30, 40, 15]
LOAN_METHODS = [RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL, RepaymentMethod.INTEREST_ONLY,
                RepaymentMethod.BULLET]
LOAN_METHOD_WEIGHTS = [70, 15, 10, 5]
CHANNELS = [PaymentChannel.ALIPAY, PaymentChannel.WECHAT_PAY, PaymentChannel.BANK_TRANSFER, PaymentChannel.UNIONPAY,
            PaymentChannel.DEDUCTION, PaymentChannel.CASH]
CHANNEL_WEIGHTS = [30, 25, 20, 10, 10, 5]
CHANNEL_PREFIX = {PaymentChannel.ALIPAY: "ALI", PaymentChannel.WECHAT_PAY: "WX", PaymentChannel.BANK_TRANSFER: "BT",
                  PaymentChannel.UNIONPAY: "UP", PaymentChannel.DEDUCTION: "DK", PaymentChannel.CASH: "CASH"}
TEAM_FOR_BUCKET = {"M0": staffing.EARLY, "M1": staffing.EARLY, "M2": staffing.EARLY, "M3": staffing.MIDDLE,
                   "M4": staffing.MIDDLE, "M5": staffing.LATE, "M6": staffing.LATE, "M7+": staffing.LATE}


class SeedRefused(Exception):
    """The database already holds data; seeding would mix the demo into it."""


@dataclass
class SeedResult:
    seed: int
    as_of: dt.date
    creditors: list[tuple[str, str]]
    debtors: int
    lost_contact: int
    deceased: int
    cases: int
    unassigned: int
    accounts: int
    buckets: dict[str, int]
    payments: int
    paid_total: Decimal
    logins: list[tuple[str, str, str]]  # role label, username, team
    password: str
    elapsed: float
    fingerprint: str = ""
    warnings: list[str] = field(default_factory=list)


def existing_data() -> str | None:
    """What already in the database would clash with a seed, or None when it is empty enough."""
    if Creditor.objects.exists():
        return f"{Creditor.objects.count()} creditor(s)"
    if Debtor.objects.exists():
        return f"{Debtor.objects.count()} debtor(s)"
    clash = list(User.objects.filter(username__in=staffing.USERNAMES).values_list("username", flat=True))
    if clash:
        return f"user(s) {', '.join(sorted(clash))}"
    return None


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


class PortfolioBuilder:
    def __init__(self, *, seed: int, debtors: int, as_of: dt.date, progress=None, progress_every: int = 500):
        if debtors < 1:
            raise ValueError("debtors must be at least 1")
        self.seed, self.n, self.as_of = seed, debtors, as_of
        self.progress, self.progress_every = progress, progress_every
        # Two streams: people and their files, and the ledger (accounts, payments, assignment). Neither draws
        # a different number of values for another as-of date, so the as-of date moves dates and balances but
        # never changes who is in the book or what they borrowed.
        people_rng = random.Random(seed)
        self.rng = random.Random(f"concord-ledger-{seed}")
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.people = PeopleFactory(people_rng, fake)
        self.borrowers = BorrowerFactory(people_rng, self.people, as_of)
        self.bucket_cycle = Counter()  # accounts opened per product kind
        self.account_seq = Counter()  # per creditor
        self.payment_seq = 0
        self.team_turn = Counter()
        self.warnings: list[str] = []
        # Payments happen before the as-of date and never in the future.
        self.last_payment_day = min(as_of, clock.today()) - dt.timedelta(days=1)
        if as_of < clock.today():
            self.warnings.append(
                f"as-of {as_of} is in the past: balances are accrued to {as_of}, but record_payment re-ages an "
                f"account to today, so accounts with payments show today's DPD")

    # --- the whole run -----------------------------------------------------------------------------------------
    def build(self) -> SeedResult:
        started = time.monotonic()
        if (what := existing_data()) is not None:
            raise SeedRefused(what)
        with transaction.atomic():
            self.creditors, self.placements, self.products = self._creditors()
            self.staff = staffing.create_staff(self.creditors)
            self._sender_profiles()
        deceased_at = {self.n // 3, (2 * self.n) // 3} if self.n >= 50 else {self.n // 2} if self.n >= 10 else set()
        specs, weights = list(CREDITORS), [c.share for c in CREDITORS]
        for chunk_start in range(0, self.n, CHUNK):
            with transaction.atomic():
                for i in range(chunk_start, min(chunk_start + CHUNK, self.n)):
                    borrower = self.borrowers.create(deceased=i in deceased_at)
                    main = self.rng.choices(specs, weights)[0]
                    owed = [main]
                    if self.rng.random() < SECOND_CREDITOR_SHARE:
                        owed.append(self.rng.choice([c for c in specs if c is not main]))
                    for spec in owed:
                        self._case(borrower, spec)
                    done = i + 1
                    if self.progress and (done % self.progress_every == 0 or done == self.n):
                        self.progress(done, self.n, time.monotonic() - started)
        return self._result(time.monotonic() - started)

    def _creditors(self):
        creditors, placements, products = {}, {}, {}
        placed_on = self.as_of - dt.timedelta(days=14)
        for spec in CREDITORS:
            creditor = add_creditor(None, code=spec.code, name=spec.name, kind=spec.kind,
                                    policy_pack=spec.policy_pack)
            creditors[spec.code] = creditor
            products[spec.code] = creditor.products.get(kind=spec.product_kind)
            placements[spec.code] = create_placement(
                None, creditor, reference=f"{spec.prefix}-WA{placed_on:%Y%m}-01", placed_on=placed_on,
                return_on=placed_on + dt.timedelta(days=spec.return_days), commission_terms=spec.commission)
        return creditors, placements, products

    def _sender_profiles(self):
        """Each creditor's hotline, address and payment link, as its messages and letters give them (set by the
        demo administrator through the outreach service; the example.cn addresses are placeholders)."""
        from concord.outreach.services import save_sender_profile

        admin = self.staff.users["admin"]
        for i, spec in enumerate(CREDITORS):
            save_sender_profile(admin, self.creditors[spec.code], display_name=spec.name, phone=f"400-800-{1000 + i}",
                                email=f"service@{spec.code}.example.cn", address=f"{spec.name}客户服务中心（示例地址）",
                                payment_url=f"https://pay.{spec.code}.example.cn/c/{{case_reference}}")

    # --- cases and accounts ----------------------------------------------------------------------------------
    def _case(self, borrower, spec: CreditorSpec) -> None:
        rng = self.rng
        placement = self.placements[spec.code]
        case, _created = cases.open_case(None, creditor=self.creditors[spec.code], debtor=borrower.debtor,
                                         placement=placement, opened_on=placement.placed_on)
        if spec.product_kind == ProductKind.CREDIT_CARD:
            count = 2 if rng.random() < 0.06 else 1
            opener = self._card
        else:
            r = rng.random()
            count = 3 if r < 0.04 else 2 if r < 0.18 else 1
            opener = self._loan
        worst = 0
        for _ in range(count):
            account, overdue_on, cap = opener(case, spec)
            worst = max(worst, account.dpd)  # payments never change it (see _payments)
            if rng.random() < PAYING_SHARE:
                self._payments(account, overdue_on, cap)
        self._assign(case, bucket(worst), borrower)
        if borrower.debtor.deceased:
            cases.set_case_status(None, case, CaseStatus.ON_HOLD, reason="债务人已故，待核实继承人及遗产")

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

    def _card(self, case, spec):
        rng = self.rng
        dpd = dpd_in(rng, self._next_bucket(ProductKind.CREDIT_CARD))
        overdue_on = due_date_for(self.as_of, dpd)
        limit = Decimal(rng.choice(CARD_LIMITS))
        principal = limit * pct(rng, 40, 105) + Decimal(rng.randint(0, 99)) / 100
        principal = min(max(principal, Decimal(2000)), Decimal(80000)).quantize(CENT)
        days = min(dpd + rng.randint(20, 50), 400)
        interest = (principal * Decimal("0.18") * days / 365).quantize(CENT)
        start = overdue_on - dt.timedelta(days=rng.randint(180, 2500))
        due_day = overdue_on.day
        account = loans.open_account(
            None, case=case, product=self.products[spec.code], reference=self._reference(spec, "C", start),
            contract_amount=limit, annual_rate=Decimal("0.18"), method=RepaymentMethod.REVOLVING, start_date=start,
            as_of=self.as_of, statement_day=(due_day - 21) % 28 + 1, due_day=due_day, credit_limit=limit,
            card_principal=principal, card_interest=interest, card_overdue_since=overdue_on)
        return account, overdue_on, account.total_balance - CENT

    def _loan(self, case, spec):
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
        account = loans.open_account(
            None, case=case, product=self.products[spec.code], reference=self._reference(spec, "L", start),
            contract_amount=amount, annual_rate=rate, method=method, term_months=term, start_date=start,
            as_of=self.as_of, paid_instalments=paid)
        oldest = schedule.build_schedule(method, amount, rate, term, start)[paid]  # the same pure schedule
        # Paying less than charges + the oldest instalment can never settle that instalment: the bucket holds.
        cap = account.penalty_balance + account.fees_balance + oldest.total - CENT
        return account, due, cap

    def _payments(self, account, overdue_on: dt.date, cap: Decimal) -> None:
        """1–4 partial payments between the day after ``overdue_on`` and yesterday, together less than ``cap``.
        Every random value is drawn up front, the same whatever the dates and balances turn out to be."""
        rng = self.rng
        count = rng.choice((1, 1, 1, 2, 2, 3, 4))
        share = pct(rng, 10, 85)
        draws = sorted((rng.random(), rng.randint(1, 10), rng.random(), rng.random(),
                        dt.time(rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59)),
                        rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]) for _ in range(count))
        first = overdue_on + dt.timedelta(days=1)
        span = (self.last_payment_day - first).days + 1
        if span < 1 or cap < 10:
            return
        budget, total_weight = cap * share, sum(d[1] for d in draws)
        for when, weight, whole, round_hundreds, at, channel in draws:
            self.payment_seq += 1
            amount = budget * weight / total_weight
            amount = amount.quantize(Decimal("1") if amount >= 1000 or whole < 0.6 else CENT, ROUND_DOWN)
            if amount >= 100 and round_hundreds < 0.5:
                amount = (amount / 100).quantize(Decimal("1"), ROUND_DOWN) * 100
            if amount < 1:
                continue
            paid_at = dt.datetime.combine(first + dt.timedelta(days=int(when * span)), at, tzinfo=SHANGHAI)
            loans.record_payment(None, account=account, amount=amount.quantize(CENT), paid_at=paid_at,
                                 channel=channel,
                                 external_reference=f"{CHANNEL_PREFIX[channel]}{paid_at:%Y%m%d}{self.payment_seq:08d}")

    def _assign(self, case, case_bucket: str, borrower) -> None:
        pool, visit = self.rng.random(), self.rng.random()
        if pool < 0.05:
            return  # waiting in the pool
        if borrower.has_assets and case_bucket in ("M4", "M5", "M6", "M7+") and visit < 0.25:
            team, role = staffing.FIELD, "field_agent"
        else:
            team, role = TEAM_FOR_BUCKET[case_bucket], "collector"
        members = self.staff.members(team, role)
        collector = members[self.team_turn[team] % len(members)]
        self.team_turn[team] += 1
        cases.assign_case(None, case, team=self.staff.teams[team], collector=collector, reason="演示数据：按账龄分案")

    # --- the summary -----------------------------------------------------------------------------------------
    def _result(self, elapsed: float) -> SeedResult:
        buckets = dict(LoanAccount.objects.values_list("bucket").annotate(n=Count("id")).order_by())
        paid = Payment.objects.aggregate(n=Count("id"), total=Sum("amount"))
        logins = [(str(User(role=s.role).get_role_display()), s.username, s.team or "") for s in staffing.STAFF]
        return SeedResult(
            seed=self.seed, as_of=self.as_of, creditors=[(c.code, c.name) for c in self.creditors.values()],
            debtors=Debtor.objects.count(), lost_contact=Debtor.objects.filter(lost_contact=True).count(),
            deceased=Debtor.objects.filter(deceased=True).count(), cases=Case.objects.count(),
            unassigned=Case.objects.filter(assigned_collector__isnull=True).count(),
            accounts=LoanAccount.objects.count(),
            buckets={b: buckets.get(b, 0) for b in BUCKETS if b != "M0" or b in buckets},
            payments=paid["n"], paid_total=paid["total"] or Decimal("0.00"), logins=logins,
            password=staffing.DEMO_PASSWORD, elapsed=elapsed, fingerprint=fingerprint(), warnings=self.warnings)


def seed_portfolio(*, seed: int = 7, debtors: int = 5000, as_of: dt.date | None = None, progress=None,
                   progress_every: int = 500) -> SeedResult:
    """Build the demo book into an empty database. Raises :class:`SeedRefused` when it is not empty."""
    return PortfolioBuilder(seed=seed, debtors=debtors, as_of=as_of or clock.today(), progress=progress,
                            progress_every=progress_every).build()


def fingerprint() -> str:
    """A short hash of the book's content (names, ID last four, balances, payments, assignments), free of
    primary keys, so two seeds with the same arguments can be compared across databases."""
    parts = [
        sorted(map(repr, Debtor.objects.values_list("full_name", "id_last4", "birth_date", "lost_contact",
                                                    "deceased"))),
        sorted(repr(tuple(map(str, row))) for row in LoanAccount.objects.values_list(
            "creditor__code", "reference", "principal_balance", "interest_balance", "penalty_balance",
            "fees_balance", "dpd", "bucket", "status")),
        sorted(repr(tuple(map(str, row))) for row in Payment.objects.values_list(
            "creditor__code", "external_reference", "amount", "paid_at", "channel")),
        sorted(repr(tuple(map(str, row))) for row in Case.objects.values_list(
            "creditor__code", "debtor__full_name", "debtor__id_last4", "assigned_collector__username", "status",
            "bucket", "total_balance")),
    ]
    digest = hashlib.sha256()
    for part in parts:
        for line in part:
            digest.update(line.encode())
            digest.update(b"\n")
    return digest.hexdigest()[:16]
