"""The demo seed: one 120-debtor book is built once for the module (committed, erased at the end, see conftest.py)
and checked from several angles; the determinism test (last) flushes it and seeds smaller books twice."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import phonenumbers
import pytest
from django.core.management.base import CommandError
from django.utils import timezone
from stdnum.cn import ric

from concord.cases.models import Case, CaseStatus
from concord.core import clock
from concord.core.audit import verify_chain
from concord.creditors.models import Creditor, Placement
from concord.debtors.models import (
    ContactPoint,
    ContactStatus,
    Debtor,
    PartyRole,
    RelatedParty,
)
from concord.demo import staffing
from concord.demo.portfolio import fingerprint
from concord.loans.models import LoanAccount, Payment, PaymentChannel, RepaymentMethod
from concord.staff.models import Team, User
from concord.staff.roles import Role

from .conftest import DEBTORS, seed

OVERDUE_BUCKETS = ["M1", "M2", "M3", "M4", "M5", "M6", "M7+"]


def test_every_bucket_is_present_for_cards_and_loans(book, db):
    for method_filter in ({"method": RepaymentMethod.REVOLVING}, {}):
        buckets = set(LoanAccount.objects.filter(**method_filter).values_list("bucket", flat=True))
        assert set(OVERDUE_BUCKETS) <= buckets, method_filter
    loans = set(LoanAccount.objects.exclude(method=RepaymentMethod.REVOLVING).values_list("bucket", flat=True))
    assert set(OVERDUE_BUCKETS) <= loans
    # weighted like a real book: early buckets hold more accounts than any single late one
    counts = Counter(LoanAccount.objects.values_list("bucket", flat=True))
    assert counts["M1"] > counts["M5"] and counts["M1"] > counts["M6"]
    # the case summary agrees with its open accounts (cases.services.refresh_case_summary)
    for case in Case.objects.prefetch_related("accounts"):
        open_accounts = [a for a in case.accounts.all() if a.status == "open"]
        assert case.max_dpd == max((a.dpd for a in open_accounts), default=0), case
        assert case.total_balance == sum((a.total_balance for a in open_accounts), Decimal("0")), case


def test_every_id_number_is_valid_and_ages_are_realistic(book, db):
    debtors = list(Debtor.objects.all())
    assert len(debtors) == DEBTORS
    for debtor in debtors:
        ric.validate(debtor.id_number)
        assert debtor.id_last4 == debtor.id_number[-4:]
        age = (clock.today() - debtor.birth_date).days / 365.25
        assert 19.9 < age < 61, (debtor.birth_date, age)
    assert len({d.id_number for d in debtors}) == DEBTORS


def test_phones_are_valid_unless_deliberately_marked_invalid(book, db):
    mobiles = list(ContactPoint.objects.filter(kind="mobile"))
    assert len(mobiles) > DEBTORS  # a primary number each, some have a second
    broken = 0
    for point in mobiles:
        if not phonenumbers.is_valid_number(phonenumbers.parse(point.value, "CN")):
            assert point.status == ContactStatus.INVALID, point.value
            broken += 1
    assert broken < len(mobiles) * 0.1
    statuses = Counter(p.status for p in mobiles)
    assert statuses[ContactStatus.VALID] > statuses[ContactStatus.INVALID] > 0
    assert statuses[ContactStatus.WRONG_PARTY] >= 1
    assert ContactPoint.objects.filter(debtor__deceased=False, is_primary=True).count() == DEBTORS - 2
    for party in RelatedParty.objects.exclude(phone=""):
        assert phonenumbers.is_valid_number(phonenumbers.parse(party.phone, "CN")), party.phone
    # home, registered and (often) work address; e-mail only on reserved example domains
    kinds = Counter((p.kind, p.address_type) for p in ContactPoint.objects.all())
    assert kinds[("address", "home")] == kinds[("address", "registered")] == DEBTORS
    assert kinds[("address", "work")] > 0 and kinds[("wechat", "")] > 0
    assert all(p.value.split("@")[1].startswith("example.") for p in ContactPoint.objects.filter(kind="email"))


def test_a_user_for_every_role_with_the_demo_password(book, db):
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == set(Role.values)
    for name in ("admin", "manager", "lead1", "collector1", "collector9", "compliance", "legal", "field", "viewer"):
        assert name in users
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["manager"].is_superuser
    assert users["viewer"].creditor.code == "hsbank"
    assert users["collector1"].check_password(staffing.DEMO_PASSWORD)
    out = book["output"]
    assert "collector9" in out and staffing.DEMO_PASSWORD in out and "DEMO ONLY" in out


def test_book_shape(book, db):
    assert sorted(Creditor.objects.values_list("code", "kind", "policy_pack")) == [
        ("hsbank", "bank", "cn_bank"), ("jiexin", "platform", "cn_online_lending"),
        ("xiaoyu", "platform", "cn_online_lending")]
    for placement in Placement.objects.all():
        assert placement.return_on > placement.placed_on
        assert Decimal(placement.commission_terms["M1"]) < Decimal(placement.commission_terms["M7+"])
    assert Case.objects.filter(placement__isnull=True).count() == 0
    card_debtors = Debtor.objects.filter(cases__creditor__code="hsbank").distinct().count()
    assert 0.3 * DEBTORS < card_debtors < 0.6 * DEBTORS
    assert Case.objects.count() > DEBTORS  # some debtors owe two creditors
    assert Debtor.objects.filter(deceased=True).count() == 2
    assert Case.objects.filter(debtor__deceased=True).exclude(status=CaseStatus.ON_HOLD).count() == 0
    # most cases are with a collector of the team for their bucket; this morning's batch waits unassigned, and so
    # does a case no team works any more (the end-of-day allocation moves a case whose bucket left its collector's
    # team: one that caught up to M0, which no demo team lists, leaves its collector)
    unassigned = Case.objects.filter(assigned_collector__isnull=True)
    assert 0 < unassigned.count() < 0.15 * Case.objects.count()
    assert clock.today() in set(unassigned.values_list("opened_on", flat=True))
    worked = {b for team in Team.objects.all() for b in team.buckets}
    assert not unassigned.exclude(opened_on=clock.today()).filter(bucket__in=worked).exists()
    early = Case.objects.filter(bucket__in=["M1", "M2"], assigned_collector__isnull=False,
                                status__in=["new", "open"])
    right = early.filter(assigned_team__name__in=(staffing.EARLY, staffing.FIELD))
    assert right.count() >= 0.85 * early.count()
    late = Case.objects.filter(bucket__in=["M5", "M6", "M7+"], assigned_collector__isnull=False,
                               status__in=["new", "open"])
    assert late.filter(assigned_team__name__in=(staffing.LATE, staffing.FIELD)).count() >= 0.85 * late.count()
    # loans: amounts, terms, rates and methods in range
    for account in LoanAccount.objects.exclude(method=RepaymentMethod.REVOLVING):
        assert Decimal(1000) <= account.contract_amount <= Decimal(50000)
        assert account.term_months in (3, 6, 12, 24)
        assert Decimal("0.10") <= account.annual_rate <= Decimal("0.24")
    for account in LoanAccount.objects.filter(method=RepaymentMethod.REVOLVING):
        assert Decimal(5000) <= account.credit_limit <= Decimal(100000)
        assert Decimal(2000) <= account.instalments.get().principal_due <= Decimal(80000)
    # borrower-file shares are roughly what the docs promise
    n = DEBTORS
    assert 0.4 * n < Debtor.objects.filter(related_parties__isnull=False).distinct().count() < 0.8 * n
    assert 0.5 * n < Debtor.objects.filter(employments__isnull=False).distinct().count() < 0.9 * n
    assert 0.3 * n < Debtor.objects.filter(financial_profiles__isnull=False).distinct().count() < 0.7 * n
    assert RelatedParty.objects.filter(role=PartyRole.SPOUSE).exists()
    assert RelatedParty.objects.filter(role=PartyRole.EMERGENCY_CONTACT).exists()
    assert any(p.disposable_income < 0 for d in Debtor.objects.all() for p in d.financial_profiles.all())
    assert verify_chain().ok


def test_payments_are_partial_past_and_unique(book, db):
    payments = list(Payment.objects.select_related("account"))
    accounts = LoanAccount.objects.count()
    paying = len({p.account_id for p in payments})
    assert 0.2 * accounts < paying < 0.6 * accounts
    assert len({(p.creditor_id, p.external_reference) for p in payments}) == len(payments)
    assert len({p.channel for p in payments}) >= 4 and {p.channel for p in payments} <= set(PaymentChannel.values)
    now = clock.now()
    for p in payments:
        assert timezone.is_aware(p.paid_at) and p.paid_at < now
        assert timezone.localtime(p.paid_at).date() >= p.account.start_date
        assert p.account.case.placement.placed_on <= timezone.localtime(p.paid_at).date()  # paid to the agency
        assert p.account.status in ("open", "settled")
        assert (p.account.status == "settled") == (p.account.total_balance == 0)


def test_refuses_a_second_run_without_flush(book, db):
    before = (Debtor.objects.count(), Creditor.objects.count())
    with pytest.raises(CommandError, match="not empty.*--flush"):
        seed()
    assert (Debtor.objects.count(), Creditor.objects.count()) == before


def test_summary_and_fingerprint_are_printed(book, db):
    out = book["output"]
    assert "seeded 120/120 debtors" in out and book["fingerprint"] in out
    assert "end-of-day engine: night 7/7" in out and "60 days:" in out
    for bucket in OVERDUE_BUCKETS:
        assert f"\n    {bucket} " in out
    assert book["errors"] == ""  # no warning: the replayed ledger and the engine agreed on every night


def test_the_last_weeks_calls_are_sampled_and_some_reviewed(book, db):
    from concord.quality.models import Review, Sample

    samples = Sample.objects.count()
    reviewed = Review.objects.count()
    assert samples and 0 < reviewed < samples
    assert f"quality    {reviewed} calls reviewed" in book["output"]
    assert all(r.reviewer.role in ("team_lead", "manager") and r.reviewer_id != r.sample.collector_id
               for r in Review.objects.select_related("reviewer", "sample"))


def test_the_reports_daily_history_covers_every_night(book, db):
    from concord.reports.store import HistoryStore

    st = HistoryStore(book["history"])
    days = st.days()
    assert len(days) == 60 and days[-1] == clock.today() - dt.timedelta(days=1)
    assert days == [days[0] + dt.timedelta(days=n) for n in range(60)]  # no gap
    sources = [st.meta(d)["source"] for d in days]
    assert sources == ["backfill"] * 53 + ["eod"] * 7  # the engine's nights kept their own day
    assert "daily history rebuilt 53 days from the raw tables" in book["output"]
    con = st.connect()
    paid_days, paid = con.execute("SELECT count(DISTINCT day), sum(amount_fen) FROM payments WHERE NOT reversed").fetchone()
    assert paid_days > 40 and paid > 0
    assert con.execute("SELECT count(DISTINCT day) FROM contacts").fetchone()[0] > 40


# transactional_db: the command's --flush must run outside a test transaction (PostgreSQL cannot TRUNCATE tables
# with pending deferred-constraint events). pytest-django runs such tests after the others.
def test_same_seed_gives_the_same_book_and_the_as_of_date_only_moves_dates(transactional_db):
    """Two seeds into a freshly flushed database give the same book; a different as-of date gives the same
    people and contracts (smaller books, to keep the test quick)."""
    def snapshot():
        return (fingerprint(),
                sorted((d.full_name, d.id_number, d.birth_date) for d in Debtor.objects.all()),
                sorted((a.reference[-7:], a.contract_amount, a.method, a.term_months, a.credit_limit)
                       for a in LoanAccount.objects.all()))

    today = clock.today()
    other = today - dt.timedelta(days=40)
    if other.year != today.year:  # the people depend on the as-of year only
        other = today + dt.timedelta(days=40)
    books = []
    for as_of in (today, today, other):
        assert seed("--flush", "--quiet", "--debtors", "12", "--as-of", as_of.isoformat(), "--engine-days",
                    "1") == ("", "")
        assert Debtor.objects.count() == 12
        books.append(snapshot())
    assert books[0] == books[1]
    assert books[2][0] != books[0][0]  # balances and dates moved …
    assert books[2][1:] == books[0][1:]  # … but not the people or their contracts
