"""The pure affordability calculator: unit cases and properties (no database)."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.arrangements import calculator as calc

D = Decimal
DAY = dt.date(2026, 12, 15)


def finances(income, household="0", other="0", equity="0"):
    return calc.Finances(D(income), D(household), D(other), D(equity))


def test_disposable_income_is_income_less_household_and_other_debt():
    assert finances("12000", "5000", "2500").disposable == D("4500.00")
    assert finances("3000", "2500", "800").disposable == D("-300.00")


def test_split_sums_to_the_total_and_puts_remainder_fen_first():
    rows = calc.split(D("100.00"), 3, dt.date(2026, 1, 31))
    assert [r.amount for r in rows] == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(r.amount for r in rows) == D("100.00")
    assert [r.due_date for r in rows] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_split_refuses_nonsense():
    with pytest.raises(ValueError):
        calc.split(D("0"), 3, DAY)
    with pytest.raises(ValueError):
        calc.split(D("0.02"), 3, DAY)
    with pytest.raises(ValueError):
        calc.split(D("10"), 0, DAY)


def test_plan_refuses_discount_at_or_above_balance():
    with pytest.raises(ValueError):
        calc.plan(calc.SETTLEMENT, D("100"), D("100"), 1, DAY)
    with pytest.raises(ValueError):
        calc.plan("holiday", D("100"), D("0"), 1, DAY)


def test_product_maxima_are_60_months_for_cards_and_36_for_online_loans():
    assert calc.max_months("credit_card") == 60
    assert calc.max_months("online_loan") == 36
    assert calc.max_months("credit_card", calc.Policy(max_months=24)) == 24
    assert calc.max_months("online_loan", calc.Policy(max_months=48)) == 36  # a policy never lengthens the law's max
    with pytest.raises(ValueError):
        calc.max_months("mortgage")


def test_card_balance_gets_instalment_plans_within_half_of_disposable_income():
    # 15 450 owed on a card; 4 500 disposable → cap 2 250 → at least 7 months
    balance = calc.Balance(D("15000"), D("450"))
    a = calc.assess(finances("12000", "5000", "2500"), balance, "credit_card", first_due=DAY)
    assert not a.hardship and a.monthly_cap == D("2250.00")
    plans = [p for p in a.proposals if p.kind == calc.INSTALMENT_PLAN]
    assert [p.months for p in plans] == [7, 12, 18]
    assert plans[0].monthly_amount == D("2207.15") and plans[0].total_paid == D("15450.00")
    settlements = [p for p in a.proposals if p.kind == calc.SETTLEMENT]
    # 25% (the authority available) fits in 6 months; half of it (12.5%) would need 7 > the 6-month settlement term
    assert [(p.discount_amount, p.months) for p in settlements] == [(D("3862.50"), 6)]
    assert all(p.monthly_amount <= a.monthly_cap for p in a.proposals)
    assert all(p.months <= calc.DEFAULT_SETTLEMENT_MONTHS for p in settlements)


def test_when_full_balance_does_not_fit_the_smallest_discount_within_authority_is_proposed():
    # 40 000 owed on an online loan, cap 1 000 → 36 × 1 000 = 36 000: a 4 000 (10%) discount makes it fit
    a = calc.assess(finances("5000", "2000", "1000"), calc.Balance(D("40000")), "online_loan",
                    calc.Policy(max_discount_rate=D("0.25")), first_due=DAY)
    assert calc.NOTE_PLAN_NEEDS_DISCOUNT in a.notes
    plan = a.proposals[0]
    assert (plan.kind, plan.months, plan.discount_amount, plan.monthly_amount) == (
        calc.INSTALMENT_PLAN, 36, D("4000.00"), D("1000.00"))
    assert plan.discount_rate == D("0.1000")


def test_nothing_fits_within_authority_says_so():
    a = calc.assess(finances("3000", "2000", "900"), calc.Balance(D("80000")), "online_loan",
                    calc.Policy(max_discount_rate=D("0.10")), first_due=DAY)
    assert a.proposals == () and calc.NOTE_NOTHING_FITS in a.notes and not a.hardship


@pytest.mark.parametrize("income,household,other", [("3000", "2500", "800"), ("3000", "3000", "0"), ("0", "0", "0")])
def test_no_disposable_income_proposes_only_a_hardship_review(income, household, other):
    a = calc.assess(finances(income, household, other, "50000"), calc.Balance(D("10000")), "credit_card",
                    first_due=DAY)
    assert a.hardship and a.proposals == () and a.monthly_cap == D("0.00")
    assert calc.NOTE_HARDSHIP in a.notes and calc.NOTE_ASSETS in a.notes


def test_a_balance_of_a_few_fen_gets_no_more_instalments_than_fen():
    a = calc.assess(finances("100"), calc.Balance(D("0.02")), "credit_card", first_due=DAY)
    assert [p.months for p in a.proposals if p.kind == calc.INSTALMENT_PLAN] == [1]


def test_zero_authority_offers_no_settlement():
    a = calc.assess(finances("10000"), calc.Balance(D("1000")), "credit_card",
                    calc.Policy(max_discount_rate=D("0")), first_due=DAY)
    assert {p.kind for p in a.proposals} == {calc.INSTALMENT_PLAN}
    assert a.proposals[0].months == 1  # it can be paid within one month's share


def test_policy_validates_its_own_terms():
    for bad in (dict(income_share=D("0")), dict(income_share=D("1.5")), dict(max_discount_rate=D("1")),
                dict(max_months=0), dict(settlement_max_months=0)):
        with pytest.raises(ValueError):
            calc.Policy(**bad)


def test_apply_payments_fills_instalments_in_order_with_the_day_each_was_cleared():
    amounts = [D("100.00"), D("100.00"), D("100.00")]
    out = calc.apply_payments(amounts, [(dt.date(2026, 2, 1), D("150")), (dt.date(2026, 1, 1), D("60"))])
    assert out == [(D("100.00"), dt.date(2026, 2, 1)), (D("100.00"), dt.date(2026, 2, 1)), (D("10.00"), None)]
    over = calc.apply_payments(amounts, [(dt.date(2026, 1, 1), D("999"))])
    assert [p for p, _ in over] == amounts


def test_first_missed_respects_grace_days():
    rows = [(dt.date(2026, 1, 10), D("100"), D("100")), (dt.date(2026, 2, 10), D("100"), D("40"))]
    assert calc.first_missed(rows, dt.date(2026, 2, 15), 5) is None
    assert calc.first_missed(rows, dt.date(2026, 2, 16), 5) == 1
    assert calc.first_missed(rows, dt.date(2026, 2, 11), 0) == 1


# -- properties ------------------------------------------------------------------------------------------------
money = st.integers(min_value=0, max_value=5_000_000_00).map(lambda fen: D(fen) / 100)
rates = st.integers(min_value=0, max_value=9999).map(lambda bp: D(bp) / 10000)
shares = st.integers(min_value=1, max_value=100).map(lambda pct: D(pct) / 100)


@settings(max_examples=300, deadline=None)
@given(income=money, household=money, other=money, principal=money, interest=money, penalty=money, fees=money,
       share=shares, max_rate=rates, kind=st.sampled_from(["credit_card", "online_loan"]),
       settle=st.integers(min_value=1, max_value=24), day=st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)))
def test_every_proposal_is_affordable_sums_exactly_and_stays_within_authority(
        income, household, other, principal, interest, penalty, fees, share, max_rate, kind, settle, day):
    balance = calc.Balance(principal, interest, penalty, fees)
    policy = calc.Policy(income_share=share, max_discount_rate=max_rate, settlement_max_months=settle)
    a = calc.assess(finances(income, household, other), balance, kind, policy, first_due=day)
    if a.disposable <= 0:
        assert a.hardship and a.proposals == ()
    for p in a.proposals:
        assert sum(r.amount for r in p.schedule) == p.total == p.total_paid == balance.total - p.discount_amount
        assert all(r.amount > 0 and r.amount == r.amount.quantize(D("0.01")) for r in p.schedule)
        assert p.monthly_amount <= a.monthly_cap <= a.disposable * share
        assert p.discount_amount <= balance.total * max_rate
        assert 0 <= p.discount_amount < balance.total
        assert len(p.schedule) == p.months <= (calc.max_months(kind) if p.kind == calc.INSTALMENT_PLAN else settle)
        assert [r.number for r in p.schedule] == list(range(1, p.months + 1))
        assert p.schedule[0].due_date == day


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=1, max_value=10**11), months=st.integers(min_value=1, max_value=60))
def test_split_is_exact_and_even(total, months):
    total = D(total) / 100
    if total * 100 < months:
        with pytest.raises(ValueError):
            calc.split(total, months, DAY)
        return
    rows = calc.split(total, months, DAY)
    amounts = [r.amount for r in rows]
    assert sum(amounts) == total and len(rows) == months
    assert max(amounts) - min(amounts) <= D("0.01")


@settings(max_examples=200, deadline=None)
@given(amounts=st.lists(st.integers(1, 10**6), min_size=1, max_size=12),
       pays=st.lists(st.tuples(st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 1)), st.integers(1, 10**6)),
                     max_size=10))
def test_apply_payments_never_overpays_and_accounts_for_every_fen(amounts, pays):
    amounts = [D(a) / 100 for a in amounts]
    pays = [(d, D(p) / 100) for d, p in pays]
    out = calc.apply_payments(amounts, pays)
    paid = [p for p, _ in out]
    assert all(p <= a for p, a in zip(paid, amounts))
    assert sum(paid) == min(sum(amounts), sum((p for _, p in pays), D(0)))
    assert all((on is not None) == (p == a) for (p, on), a in zip(out, amounts))


# -- offer bounds: the creditor's terms and the strategy's, the tighter ----------------------------------------------
def offer(rate=None, months=None):
    return calc.StrategyOffer(None if rate is None else D(rate), months, "default v2 · early")


def test_bounds_without_a_strategy_are_the_creditors_and_the_products():
    b = calc.bounds("credit_card", calc.Policy(max_discount_rate=D("0.25"), settlement_max_months=6))
    assert (b.plan_months, b.plan_months_by, b.settlement_months, b.settlement_months_by) == (60, "product", 6, "creditor")
    assert b.strategy is None and b.strategy_rate is None and b.offered_rate == D("0.25")
    b = calc.bounds("online_loan", calc.Policy(max_months=24))
    assert (b.plan_months, b.plan_months_by) == (24, "creditor")
    with pytest.raises(ValueError):
        calc.bounds("mortgage")


def test_a_strategy_bound_applies_only_where_it_is_tighter():
    policy = dict(max_discount_rate=D("0.25"), max_months=24, settlement_max_months=6)
    b = calc.bounds("credit_card", calc.Policy(**policy, strategy=offer("0.10", 12)))
    assert (b.plan_months, b.plan_months_by, b.settlement_months, b.settlement_months_by) == (12, "strategy", 6, "creditor")
    assert b.strategy_rate == D("0.10") and b.offered_rate == D("0.10")
    b = calc.bounds("credit_card", calc.Policy(**policy, strategy=offer("0.40", 48)))   # looser: the creditor's stand
    assert (b.plan_months, b.plan_months_by, b.settlement_months) == (24, "creditor", 6)
    assert b.offered_rate == D("0.25") and b.strategy_rate == D("0.40")
    b = calc.bounds("credit_card", calc.Policy(**policy, strategy=offer("0.25", 24)))   # a tie is the creditor's
    assert b.plan_months_by == "creditor" and b.offered_rate == D("0.25")
    b = calc.bounds("online_loan", calc.Policy(strategy=offer(None, 3)))              # months only
    assert (b.plan_months, b.settlement_months, b.settlement_months_by) == (3, 3, "strategy")
    assert b.strategy_rate is None and b.offered_rate == D("0.25")


def test_a_rule_without_an_offer_adds_no_bound():
    plain = calc.bounds("online_loan", calc.Policy())
    none = calc.bounds("online_loan", calc.Policy(strategy=offer()))
    assert (none.plan_months, none.settlement_months, none.offered_rate, none.strategy_rate) == (
        plain.plan_months, plain.settlement_months, plain.offered_rate, None)
    assert none.strategy.source == "default v2 · early"
    assert calc.beyond_bounds(none, calc.SETTLEMENT, 6, D("2400"), D("10000")) == []


def test_beyond_bounds_names_the_bound_and_where_it_comes_from():
    b = calc.bounds("credit_card", calc.Policy(max_months=24, strategy=offer("0.10", 12)))
    assert calc.beyond_bounds(b, calc.INSTALMENT_PLAN, 12, D("1000.00"), D("10000.00")) == []
    assert calc.beyond_bounds(b, calc.INSTALMENT_PLAN, 13, D("1000.01"), D("10000.00")) == [
        ("months", 12, "strategy"), ("discount_amount", D("0.10"), "strategy")]
    loose = calc.bounds("credit_card", calc.Policy(max_months=24, strategy=offer("0.40", 36)))
    assert calc.beyond_bounds(loose, calc.INSTALMENT_PLAN, 25, D("0"), D("100")) == [("months", 24, "creditor")]
    # beyond the house's authority (25 %) but within the strategy's: not refused, the creditor decides
    assert calc.beyond_bounds(loose, calc.SETTLEMENT, 6, D("30"), D("100")) == []
    assert calc.beyond_bounds(loose, calc.SETTLEMENT, 7, D("41"), D("100")) == [
        ("months", 6, "creditor"), ("discount_amount", D("0.40"), "strategy")]


def test_the_calculator_proposes_nothing_beyond_the_strategys_bounds():
    money, balance = finances("12000", "5000", "2500"), calc.Balance(D("15000"), D("450"))  # cap 2 250
    free = calc.assess(money, balance, "credit_card", calc.Policy(settlement_max_months=12), first_due=DAY)
    assert max(p.months for p in free.proposals) > 6
    assert max(p.discount_rate for p in free.proposals) == D("0.25")
    bound = calc.assess(money, balance, "credit_card",
                        calc.Policy(settlement_max_months=12, strategy=offer("0.05", 8)), first_due=DAY)
    assert bound.max_months == 8 and bound.max_discount_rate == D("0.05") and bound.bounds.plan_months == 8
    assert bound.proposals and all(p.months <= 8 and p.discount_amount <= balance.total * D("0.05")
                                   for p in bound.proposals)
    # no discount at all under the strategy: only plans at the full balance; a plan that needs a discount is not made
    none = calc.assess(money, balance, "credit_card", calc.Policy(strategy=offer("0", 6)), first_due=DAY)
    assert none.proposals == () and calc.NOTE_PLAN_NEEDS_DISCOUNT in none.notes
    assert calc.NOTE_NOTHING_FITS in none.notes


def test_strategy_offer_validates_itself():
    for bad in (dict(max_discount_rate=D("-0.01")), dict(max_discount_rate=D("1.01")), dict(max_months=0)):
        with pytest.raises(ValueError):
            calc.StrategyOffer(**bad)


@settings(max_examples=200, deadline=None)
@given(income=money, principal=money, share=shares, max_rate=rates, kind=st.sampled_from(["credit_card", "online_loan"]),
       settle=st.integers(min_value=1, max_value=24), creditor_months=st.one_of(st.none(), st.integers(1, 60)),
       s_pct=st.one_of(st.none(), st.integers(0, 100)), s_months=st.one_of(st.none(), st.integers(1, 60)))
def test_every_proposal_stays_within_both_the_creditors_and_the_strategys_bounds(
        income, principal, share, max_rate, kind, settle, creditor_months, s_pct, s_months):
    strategy = calc.StrategyOffer(None if s_pct is None else D(s_pct) / 100, s_months, "s v1 · x")
    policy = calc.Policy(income_share=share, max_discount_rate=max_rate, max_months=creditor_months,
                         settlement_max_months=settle, strategy=strategy)
    balance = calc.Balance(principal)
    a = calc.assess(finances(income), balance, kind, policy, first_due=DAY)
    for p in a.proposals:
        assert p.discount_amount <= balance.total * max_rate
        assert s_pct is None or p.discount_amount <= balance.total * D(s_pct) / 100
        longest = calc.max_months(kind, policy) if p.kind == calc.INSTALMENT_PLAN else settle
        assert p.months <= longest and (s_months is None or p.months <= s_months)
        assert calc.beyond_bounds(a.bounds, p.kind, p.months, p.discount_amount, p.balance) == []
