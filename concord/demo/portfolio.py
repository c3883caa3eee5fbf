"""A realistic, deterministic demo portfolio with two months of history, written through the bulk path.

Same seed and as-of date → same book: every random choice comes from ``random.Random`` streams seeded with the
seed (people and their files, contracts, history) and one ``Faker("zh_CN")`` seeded with it, and every date is an
offset from ``as_of`` (never from the wall clock).

The book: a bank's credit-card portfolio (``hsbank``, ~45% of debtors) and two online lending platforms
(``jiexin``, ``xiaoyu``, ~55%), placed in batches every two weeks over the last sixty days (and one this morning,
waiting in the pool); ~5% of debtors also owe a second creditor. On the as-of date the accounts spread over the
buckets M1…M7+ weighted like a real book (more early than late), the first accounts of each product kind cycling
through every bucket. The history (``concord.demo.history``): sixty days of calls and SMS through the compliance
gate, promises to pay kept, partially kept and broken, payments through the ledger's waterfall, follow-up tasks,
and an end-of-day run every night — the last ``engine_days`` nights (default 7) are real runs of the end-of-day
engine against the database (``concord.eod.adapter.run_eod``: accrual, DPD, buckets, allocation, today's contact
queue); the nights before are replayed by the seeder with the ledger's pure functions and recorded as runs of engine
``replay`` (the time budget does not allow sixty engine runs; see docs/operator-guide.md).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import translation
from faker import Faker

from concord.cases.models import Activity, Case
from concord.compliance import live
from concord.compliance.models import ContactDecision, Qualification
from concord.core import clock
from concord.creditors.models import Creditor
from concord.creditors.services import add_creditor, create_placement
from concord.debtors.models import Debtor
from concord.eod.models import EodRun, QueueEntry
from concord.loans.delinquency import BUCKETS
from concord.loans.models import LoanAccount, Payment
from concord.outreach.models import MessageTemplate
from concord.staff.models import User

from . import ledger, staffing, work
from .book import BATCH_OFFSETS, CREDITORS, HISTORY_DAYS, BookFactory, CreditorSpec  # noqa: F401 (re-exported)
from .borrowers import BorrowerFactory
from .history import Simulator
from .records import SHANGHAI, Journal, clock_at
from .people import PeopleFactory
from .writer import Writer

#: Nights at the end of the history run by the end-of-day engine against the database (the rest are replayed).
ENGINE_DAYS = 7


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
    history_days: int = 0
    eod_runs: dict[str, int] = field(default_factory=dict)  # engine → runs
    contacts: dict[str, int] = field(default_factory=dict)  # calls, sms, denied
    promises: dict[str, int] = field(default_factory=dict)  # status → promises
    queue_today: int = 0
    open_tasks: int = 0
    ledger_mismatches: int = 0  # accounts on which the replayed ledger and the engine disagreed (0)
    seconds: dict[str, float] = field(default_factory=dict)
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


@contextlib.contextmanager
def clock_fixed(at: dt.datetime):
    """The clock stands at ``at`` (``CONCORD_CLOCK``, the one override ``concord.core.clock`` knows): the history is
    written, and the engine runs, on the day it belongs to."""
    had = hasattr(settings._wrapped, "CONCORD_CLOCK") if settings.configured else False
    before = getattr(settings, "CONCORD_CLOCK", "")
    settings.CONCORD_CLOCK = at.isoformat()
    try:
        yield
    finally:
        if had:
            settings.CONCORD_CLOCK = before
        else:
            del settings.CONCORD_CLOCK


def days(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


class PortfolioBuilder:
    def __init__(self, *, seed: int, debtors: int, as_of: dt.date, progress=None, progress_every: int = 500,
                 engine_days: int = ENGINE_DAYS):
        if debtors < 1:
            raise ValueError("debtors must be at least 1")
        if not 1 <= engine_days <= HISTORY_DAYS:
            raise ValueError(f"engine_days must be between 1 and {HISTORY_DAYS}")
        self.seed, self.n, self.as_of, self.engine_days = seed, debtors, as_of, engine_days
        self.progress, self.progress_every = progress or (lambda *a: None), progress_every
        self.start = as_of - dt.timedelta(days=HISTORY_DAYS)
        self.window = as_of - dt.timedelta(days=engine_days)  # the first night the engine runs
        self.warnings: list[str] = []
        self.seconds: dict[str, float] = {}
        self.mismatches = 0
        if as_of != clock.today():
            self.warnings.append(f"as-of {as_of} is not today ({clock.today()}): the demo's 'today' (queues, promises "
                                 f"and tasks due) is {as_of}")

    def _lap(self, name: str, since: float) -> float:
        now = time.monotonic()
        self.seconds[name] = round(now - since, 1)
        return now

    # --- the whole run -----------------------------------------------------------------------------------------
    def build(self) -> SeedResult:
        started = t = time.monotonic()
        if (what := existing_data()) is not None:
            raise SeedRefused(what)
        with translation.override("zh-hans"):
            with clock_fixed(clock_at(self.start, dt.time(8, 0))), transaction.atomic():
                work.restore_data_seeds()
                self._creditors()
                self.staff = staffing.create_staff(self.creditors, as_of=self.as_of)
                self._sender_profiles()
            self._generate(started)
            t = self._lap("generate", t)
            with clock_fixed(clock_at(self.start, dt.time(8, 0))):
                self.writer.borrowers(self.borrowers, lambda n: self.progress("written", n, self.n,
                                                                              time.monotonic() - started))
            for case in self.book.cases:
                case.reference = f"{case.spec.code.upper()}-{case.borrower.pk:08d}"
            t = self._lap("borrowers", t)
            self.sim = self._simulator()
            journals = self._replay(started)
            t = self._lap("history", t)
            self._write_replayed(journals, started)
            t = self._lap("write", t)
            self._engine_nights(started)
            t = self._lap("engine", t)
            self._today()
            self._lap("today", t)
        return self._result(time.monotonic() - started)

    def _creditors(self):
        self.creditors, self.products, self.terms, self.placements = {}, {}, {}, {}
        for spec in CREDITORS:
            creditor = add_creditor(None, code=spec.code, name=spec.name, kind=spec.kind, policy_pack=spec.policy_pack)
            self.creditors[spec.code] = creditor
            self.terms[spec.code] = {}
            for product in creditor.products.order_by("code"):
                self.products[(spec.code, product.kind)] = product
                self.terms[spec.code].setdefault(product.kind, ledger.ProductTerms.of(product))

    def _placements(self, day: dt.date, accounts) -> None:
        """The batch (委案批次) of each creditor that places accounts on ``day``, through the creditors service."""
        codes = {a.case.spec.code for a in accounts}
        for spec in CREDITORS:
            if spec.code not in codes:
                continue
            self.placements[(spec.code, day)] = create_placement(
                None, self.creditors[spec.code], reference=f"{spec.prefix}-WA{day:%Y%m%d}", placed_on=day,
                return_on=day + dt.timedelta(days=spec.return_days), commission_terms=spec.commission)

    def _sender_profiles(self):
        """Each creditor's hotline, address and payment link, as its messages and letters give them (set by the
        demo administrator through the outreach service; the example.cn addresses are placeholders)."""
        from concord.outreach.services import save_sender_profile

        admin = self.staff.users["admin"]
        self.senders = {}
        for i, spec in enumerate(CREDITORS):
            profile = save_sender_profile(
                admin, self.creditors[spec.code], display_name=spec.name, phone=f"400-800-{1000 + i}",
                email=f"service@{spec.code}.example.cn", address=f"{spec.name}客户服务中心（示例地址）",
                payment_url=f"https://pay.{spec.code}.example.cn/c/{{case_reference}}")
            self.senders[spec.code] = {"display_name": profile.display_name, "phone": profile.phone,
                                       "email": profile.email, "address": profile.address,
                                       "payment_url": profile.payment_url}

    def _generate(self, started: float) -> None:
        """People, their files and their contracts, in memory. Two streams: people and their files, and the
        ledger (contracts). Neither draws a different number of values for another as-of date, so the as-of date
        moves dates and balances but never changes who is in the book or what they borrowed."""
        people_rng = random.Random(self.seed)
        fake = Faker("zh_CN")
        fake.seed_instance(self.seed)
        factory = BorrowerFactory(people_rng, PeopleFactory(people_rng, fake), self.as_of)
        self.book = BookFactory(random.Random(f"concord-ledger-{self.seed}"), self.as_of, self.terms)
        n = self.n
        deceased_at = {n // 3, (2 * n) // 3} if n >= 50 else {n // 2} if n >= 10 else set()
        self.borrowers = []
        for i in range(n):
            borrower = factory.create(deceased=i in deceased_at)
            borrower.index = i
            self.borrowers.append(borrower)
            self.book.borrower_cases(borrower)
            if (i + 1) % self.progress_every == 0 or i + 1 == n:
                self.progress("debtors", i + 1, n, time.monotonic() - started)
        packs = {spec.policy_pack: live.pack_for(self.creditors[spec.code], {}) for spec in CREDITORS}
        self.packs = packs
        self.writer = Writer(creditors=self.creditors, products=self.products, placements=self.placements,
                             staff=self.staff, packs=packs)

    def _simulator(self) -> Simulator:
        sms = {t.code: t for t in MessageTemplate.objects.filter(channel="sms", language="zh-hans",
                                                                 code__in=("reminder", "payment_link"))}
        quals: dict[int, dict] = {}
        for user_id, kind, passed, expires in Qualification.objects.values_list("user_id", "kind", "passed_on",
                                                                                "expires_on"):
            quals.setdefault(user_id, {})[kind] = (passed, expires)
        return Simulator(seed=self.seed, as_of=self.as_of, cases=self.book.cases, staff=self.staff, packs=self.packs,
                         sms=sms, senders=self.senders, qualifications=quals)

    def _arriving(self, day: dt.date):
        """The cases whose first account arrives on ``day`` and every account placed on ``day``."""
        if not hasattr(self, "_arrivals"):
            self._arrivals = {}
            for case in self.book.cases:
                self._arrivals.setdefault(case.placed_on, ([], []))[0].append(case)
                for account in case.accounts:
                    self._arrivals.setdefault(account.placed_on, ([], []))[1].append(account)
        return self._arrivals.get(day, ([], []))

    # --- the replayed nights -----------------------------------------------------------------------------------
    def _replay(self, started: float) -> list[Journal]:
        sim, journals = self.sim, []
        for day in days(self.start, self.window - dt.timedelta(days=1)):
            cases, _accounts = self._arriving(day)
            journal = Journal(day)
            journal.moves += sim.place(cases, day, assign=True)
            sim.join_accounts(day)
            sim.run_day(day, journal)
            sim.close_day(day, journal, replay=True)
            journals.append(journal)
            self.progress("history", (day - self.start).days + 1, HISTORY_DAYS - self.engine_days,
                          time.monotonic() - started)
        last = self.window - dt.timedelta(days=1)
        for case in sim.held:  # the ledger as the last replayed night leaves it
            for account in case.work.held:
                ledger.close_through(account, last)
            case.refresh(last)
        return journals

    def _write_replayed(self, journals: list[Journal], started: float) -> None:
        for journal in journals:
            day = journal.day
            with clock_fixed(clock_at(day, dt.time(22, 0))), transaction.atomic():
                cases, accounts = self._arriving(day)
                if accounts:
                    self._placements(day, accounts)
                    self.writer.placed(cases, accounts, day)
                self.writer.day(journal, updates=False)
                self.writer.replay_run(day, journal.summary)
            self.progress("written-days", (day - self.start).days + 1, len(journals), time.monotonic() - started)

    # --- the nights the engine runs ----------------------------------------------------------------------------
    def _engine_nights(self, started: float) -> None:
        from concord.eod.adapter import run_eod

        sim = self.sim
        for day in days(self.window, self.as_of - dt.timedelta(days=1)):
            cases, accounts = self._arriving(day)
            if accounts:  # the batch waits in the pool until tonight's allocation
                with clock_fixed(clock_at(day, dt.time(8, 0))), transaction.atomic():
                    sim.place(cases, day, assign=False)
                    sim.join_accounts(day)
                    self._placements(day, accounts)
                    self.writer.placed(cases, accounts, day)
            journal = Journal(day)
            sim.run_day(day, journal)
            sim.close_day(day, journal, replay=False)
            with clock_fixed(clock_at(day, dt.time(22, 0))), transaction.atomic():
                self.writer.day(journal, updates=True)
            t0 = time.monotonic()
            with clock_fixed(clock_at(day, dt.time(23, 30))):
                run_eod(day)
            self._follow(day, check=day == self.window)
            self.progress("engine", (day - self.window).days + 1, self.engine_days, time.monotonic() - t0)

    def _follow(self, day: dt.date, *, check: bool) -> None:
        """After a real run: the simulation takes the database's ledger and allocation. With ``check`` (the first
        engine night, which starts from the replayed ledger) it first counts the accounts on which the seeder's
        replay of that night would have disagreed with the engine."""
        accounts = {a.pk: a for c in self.sim.held for a in c.work.held}
        fields = ("principal_balance", "interest_balance", "penalty_balance", "fees_balance", "credit_balance",
                  "penalty_accrued", "fees_accrued", "dpd", "bucket", "status")
        for row in LoanAccount.objects.filter(pk__in=list(accounts)).values_list("pk", *fields):
            account = accounts[row[0]]
            if check:
                ledger.close_through(account, day)  # the replay's prediction of the night
                if tuple(getattr(account, f) for f in fields) != row[1:]:
                    self.mismatches += 1
            for name, value in zip(fields, row[1:]):
                setattr(account, name, value)
            account.closed_through = account.balances_as_of = day
            self.sim.oldest[id(account)] = account.oldest_unsettled_due()
            self.sim.eod_bucket[id(account)] = account.bucket
        teams = {t.pk: t for t in self.staff.teams.values()}
        users = {u.pk: u for u in self.staff.users.values()}
        cases = {c.pk: c for c in self.sim.held}
        for pk, status, team, collector, total, dpd, bucket, closed in Case.objects.filter(
                pk__in=list(cases)).values_list("pk", "status", "assigned_team_id", "assigned_collector_id",
                                                "total_balance", "max_dpd", "bucket", "closed_on"):
            case = cases[pk]
            self.sim.follow(case, teams.get(team), users.get(collector), status)
            case.total_balance, case.max_dpd, case.bucket, case.closed_on = total, dpd, bucket, closed

    # --- today ---------------------------------------------------------------------------------------------------
    def _today(self) -> None:
        """This morning's batch (in the pool until tonight's run or a lead assigns it) and, once 08:30 has passed,
        the morning's promise evaluation and reminders."""
        day, sim = self.as_of, self.sim
        now = clock.now() if self.as_of == clock.today() else clock_at(day, dt.time(9, 0))
        cases, accounts = self._arriving(day)
        journal = Journal(day)
        with clock_fixed(now), transaction.atomic():
            if accounts:
                sim.place(cases, day, assign=False)
                sim.join_accounts(day)
                self._placements(day, accounts)
                self.writer.placed(cases, accounts, day)
            if now >= clock_at(day, dt.time(8, 30)):
                sim.morning(day, journal)
            if journal.tasks or journal.changed_promises:
                self.writer.day(journal, updates=True)

    # --- the summary -----------------------------------------------------------------------------------------
    def _result(self, elapsed: float) -> SeedResult:
        buckets = dict(LoanAccount.objects.values_list("bucket").annotate(n=Count("id")).order_by())
        paid = Payment.objects.aggregate(n=Count("id"), total=Sum("amount"))
        logins = [(str(User(role=s.role).get_role_display()), s.username, s.team or "") for s in staffing.STAFF]
        contacts = Counter()
        for channel, allowed, n in ContactDecision.objects.values_list("channel", "allowed").annotate(
                n=Count("id")).order_by():
            contacts[channel if allowed else "denied"] += n
        return SeedResult(
            seed=self.seed, as_of=self.as_of, creditors=[(c.code, c.name) for c in self.creditors.values()],
            debtors=Debtor.objects.count(), lost_contact=Debtor.objects.filter(lost_contact=True).count(),
            deceased=Debtor.objects.filter(deceased=True).count(), cases=Case.objects.count(),
            unassigned=Case.objects.filter(assigned_collector__isnull=True).count(),
            accounts=LoanAccount.objects.count(),
            buckets={b: buckets.get(b, 0) for b in BUCKETS if b != "M0" or b in buckets},
            payments=paid["n"], paid_total=paid["total"] or Decimal("0.00"), logins=logins,
            password=staffing.DEMO_PASSWORD, elapsed=elapsed, history_days=HISTORY_DAYS,
            eod_runs=dict(EodRun.objects.values_list("engine").annotate(n=Count("id")).order_by()),
            contacts=dict(contacts),
            promises=dict(work.Promise.objects.values_list("status").annotate(n=Count("id")).order_by()),
            queue_today=QueueEntry.objects.filter(day=self.as_of).count(),
            open_tasks=work.Task.objects.filter(done_at__isnull=True).count(),
            ledger_mismatches=self.mismatches, seconds=self.seconds, fingerprint=fingerprint(),
            warnings=self.warnings)


def seed_portfolio(*, seed: int = 7, debtors: int = 5000, as_of: dt.date | None = None, progress=None,
                   progress_every: int = 500, engine_days: int = ENGINE_DAYS) -> SeedResult:
    """Build the demo book and its history into an empty database. Raises :class:`SeedRefused` when it is not
    empty. ``progress(stage, done, total, seconds)`` reports the long work."""
    return PortfolioBuilder(seed=seed, debtors=debtors, as_of=as_of or clock.today(), progress=progress,
                            progress_every=progress_every, engine_days=engine_days).build()


def fingerprint() -> str:
    """A short hash of the book's content (names, ID last four, balances, payments, assignments, promises, the
    activity log and the end-of-day runs), free of primary keys, so two seeds with the same arguments can be compared
    across databases."""
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
        sorted(repr(tuple(map(str, row))) for row in work.Promise.objects.values_list(
            "case__creditor__code", "case__debtor__id_last4", "amount", "due_date", "status", "paid_amount",
            "made_at")),
        sorted(repr(tuple(map(str, row))) for row in Activity.objects.values_list(
            "case__creditor__code", "case__debtor__id_last4", "kind", "outcome", "at", "actor__username")),
        sorted(repr(tuple(map(str, row))) for row in EodRun.objects.values_list("as_of", "engine", "status")),
    ]
    digest = hashlib.sha256()
    for part in parts:
        for line in part:
            digest.update(line.encode())
            digest.update(b"\n")
    return digest.hexdigest()[:16]


__all__ = ["SeedRefused", "SeedResult", "seed_portfolio", "fingerprint", "existing_data", "CREDITORS",
           "SHANGHAI", "ENGINE_DAYS"]
