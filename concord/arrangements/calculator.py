"""The affordability calculator: which instalment plans and settlements a borrower can really keep.

Pure Python, no Django import. Money is ``Decimal`` in yuan, exact to the fen; every split of a total is made in
whole fen so that a schedule always sums to its agreed total. Two rounding rules are deliberate and documented:

* amounts that are *limits* (the monthly cap = share × disposable income, the largest discount an authority may
  grant) are rounded **down** to the fen, so a proposal can never exceed them by a rounding fen;
* a schedule splits its total into equal instalments in whole fen; the remainder fen go one each to the first
  instalments, so the monthly amount shown is the largest instalment and no instalment exceeds it.

Product maxima (documented decision): a credit card's personalised instalment (个性化分期) may run up to 60 months
(5 years, the CN banking practice); an online loan (网贷) up to 36 months — the longest term licensed online lenders
commonly grant, and short enough that the total cost stays visible to the borrower. A creditor's policy may set a
shorter maximum, never a longer one than these.

When the disposable income is zero or negative the calculator proposes nothing but a hardship review: no plan is
pushed on someone who cannot pay.

Offer bounds (docs/strategy.md "Offer bounds"): the live strategy's rule for the case's segment may bound the discount
(a share of the balance) and the term (:class:`StrategyOffer`). They apply *together with* the creditor's terms, never
instead of them — the effective term is the tightest of the product's maximum, the creditor's and the strategy's
(:func:`bounds`), the discount offered without the creditor the lower of the house's authority and the strategy's
bound — and, unlike the creditor's approval ladder, no approval goes beyond a strategy's bound
(:func:`beyond_bounds`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from concord.core.money import FEN, to_money
from concord.loans.schedule import add_months

ZERO = Decimal("0.00")
PRODUCT_MAX_MONTHS = {"credit_card": 60, "online_loan": 36}
STANDARD_TERMS = (3, 6, 12, 18, 24, 36, 48, 60)
DEFAULT_INCOME_SHARE = Decimal("0.50")
DEFAULT_SETTLEMENT_MONTHS = 6
INSTALMENT_PLAN, SETTLEMENT = "instalment_plan", "settlement"

# Notes the calculator attaches to an assessment (the web layer turns them into text in the user's language).
NOTE_HARDSHIP = "hardship"            # disposable income ≤ 0: hardship review only
NOTE_PLAN_NEEDS_DISCOUNT = "plan_needs_discount"  # full balance does not fit in the maximum term
NOTE_NOTHING_FITS = "nothing_fits"    # not even the largest discount within authority makes a plan fit
NOTE_ASSETS = "assets"                # the borrower has asset equity worth discussing (context only)


@dataclass(frozen=True)
class Finances:
    income: Decimal
    household: Decimal = ZERO
    other_debt: Decimal = ZERO
    assets_equity: Decimal = ZERO

    @property
    def disposable(self) -> Decimal:
        """Income − household expenses − other debt payments (may be negative)."""
        return to_money(self.income - self.household - self.other_debt)


@dataclass(frozen=True)
class Balance:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return to_money(self.principal + self.interest + self.penalty + self.fees)


@dataclass(frozen=True)
class StrategyOffer:
    """The live strategy's offer bounds for a case: the largest discount (a share of the balance) and the longest term
    to offer, None where the strategy sets no such bound; ``source`` names the strategy version and the segment
    (``"default v2 · early"``)."""
    max_discount_rate: Decimal | None = None
    max_months: int | None = None
    source: str = ""

    def __post_init__(self):
        if self.max_discount_rate is not None and not (Decimal("0") <= self.max_discount_rate <= Decimal("1")):
            raise ValueError("max_discount_rate must be in [0, 1]")
        if self.max_months is not None and self.max_months < 1:
            raise ValueError("max_months must be at least 1")


@dataclass(frozen=True)
class Policy:
    """The creditor's terms for arrangements. ``max_discount_rate`` is the authority available (the largest
    discount anyone in the house may grant without the creditor); ``max_months`` None means the product's maximum.
    ``strategy``: the live strategy's offer bounds for the case (None: the strategy adds none)."""
    income_share: Decimal = DEFAULT_INCOME_SHARE
    max_discount_rate: Decimal = Decimal("0.25")
    max_months: int | None = None
    settlement_max_months: int = DEFAULT_SETTLEMENT_MONTHS
    strategy: StrategyOffer | None = None

    def __post_init__(self):
        if not (Decimal("0") < self.income_share <= Decimal("1")):
            raise ValueError("income_share must be in (0, 1]")
        if not (Decimal("0") <= self.max_discount_rate < Decimal("1")):
            raise ValueError("max_discount_rate must be in [0, 1)")
        if self.max_months is not None and self.max_months < 1:
            raise ValueError("max_months must be at least 1")
        if self.settlement_max_months < 1:
            raise ValueError("settlement_max_months must be at least 1")


@dataclass(frozen=True)
class Row:
    number: int
    due_date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Proposal:
    kind: str
    months: int
    balance: Decimal
    discount_amount: Decimal
    total: Decimal
    schedule: tuple[Row, ...]

    @property
    def monthly_amount(self) -> Decimal:
        return max(r.amount for r in self.schedule)

    @property
    def total_paid(self) -> Decimal:
        return sum((r.amount for r in self.schedule), ZERO)

    @property
    def discount_rate(self) -> Decimal:
        """Discount ÷ balance, to four places, rounded up (a rate shown never understates the discount)."""
        return discount_rate(self.discount_amount, self.balance)


# Where a bound comes from.
BY_PRODUCT, BY_CREDITOR, BY_STRATEGY = "product", "creditor", "strategy"


@dataclass(frozen=True)
class Bounds:
    """The effective bounds of an offer on one case: the longest instalment plan and settlement (each with which bound
    sets it: the product's maximum, the creditor's policy or the strategy), the largest discount offered without the
    creditor (the lower of the house's authority and the strategy's bound) and the strategy's own discount bound
    (None: none), beyond which nothing is offered, whoever approves."""
    plan_months: int
    plan_months_by: str
    settlement_months: int
    settlement_months_by: str
    house_rate: Decimal
    strategy_rate: Decimal | None
    strategy: StrategyOffer | None

    @property
    def offered_rate(self) -> Decimal:
        """The largest discount the calculator proposes: within the house's authority and the strategy's bound."""
        return self.house_rate if self.strategy_rate is None else min(self.house_rate, self.strategy_rate)

    def months(self, kind: str) -> tuple[int, str]:
        """``(longest term, which bound sets it)`` for an arrangement of ``kind``."""
        return ((self.plan_months, self.plan_months_by) if kind == INSTALMENT_PLAN
                else (self.settlement_months, self.settlement_months_by))


@dataclass(frozen=True)
class Assessment:
    balance: Decimal
    disposable: Decimal
    income_share: Decimal
    monthly_cap: Decimal
    assets_equity: Decimal
    max_months: int
    max_discount_rate: Decimal
    hardship: bool
    proposals: tuple[Proposal, ...] = ()
    notes: tuple[str, ...] = field(default=())
    bounds: Bounds | None = None


def _fen(amount: Decimal) -> int:
    return int(to_money(amount) * 100)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def max_months(product_kind: str, policy: Policy | None = None) -> int:
    """The longest term for this product kind under the creditor's policy."""
    if product_kind not in PRODUCT_MAX_MONTHS:
        raise ValueError(f"product_kind: unknown product kind {product_kind!r}")
    cap = PRODUCT_MAX_MONTHS[product_kind]
    if policy is not None and policy.max_months is not None:
        cap = min(cap, policy.max_months)
    return cap


def _tighter(bound: int, by: str, strategy_months: int | None) -> tuple[int, str]:
    """The strategy's term when it is strictly shorter (a tie is the creditor's or the product's own bound)."""
    if strategy_months is not None and strategy_months < bound:
        return strategy_months, BY_STRATEGY
    return bound, by


def bounds(product_kind: str, policy: Policy | None = None) -> Bounds:
    """The effective bounds of an offer: each the tightest of the creditor's (with the product's maximum) and the
    strategy's. A strategy without an offer bound (``policy.strategy`` None, or its fields None) leaves the
    creditor's terms as they are; it never lengthens a term or widens the house's authority."""
    policy = policy or Policy()
    strategy = policy.strategy
    plan, plan_by = PRODUCT_MAX_MONTHS.get(product_kind), BY_PRODUCT
    if plan is None:
        raise ValueError(f"product_kind: unknown product kind {product_kind!r}")
    if policy.max_months is not None and policy.max_months < plan:
        plan, plan_by = policy.max_months, BY_CREDITOR
    months = strategy.max_months if strategy else None
    plan, plan_by = _tighter(plan, plan_by, months)
    settle, settle_by = _tighter(policy.settlement_max_months, BY_CREDITOR, months)
    return Bounds(plan_months=plan, plan_months_by=plan_by, settlement_months=settle, settlement_months_by=settle_by,
                  house_rate=policy.max_discount_rate, strategy_rate=strategy.max_discount_rate if strategy else None,
                  strategy=strategy)


def beyond_bounds(limits: Bounds, kind: str, months: int, discount: Decimal, balance: Decimal) -> list[tuple]:
    """What in an offer lies beyond the effective bounds, as ``(field, bound, by)``: ``("months", longest, by)`` for a
    term beyond the longest (``by`` product, creditor or strategy), ``("discount_amount", rate, "strategy")`` for a
    discount beyond the strategy's bound (compared in exact amounts). A discount beyond the house's authority but
    within the strategy's is not here: it goes to the creditor for approval."""
    out = []
    longest, by = limits.months(kind)
    if months > longest:
        out.append(("months", longest, by))
    if limits.strategy_rate is not None and not within_limit(discount, balance, limits.strategy_rate):
        out.append(("discount_amount", limits.strategy_rate, BY_STRATEGY))
    return out


def monthly_cap(disposable: Decimal, share: Decimal) -> Decimal:
    """The most a plan may ask each month: share × disposable income, rounded down to the fen (0 if none)."""
    if disposable <= 0:
        return ZERO
    return (disposable * share).quantize(FEN, rounding=ROUND_DOWN)


def discount_limit(balance: Decimal, rate: Decimal) -> Decimal:
    """The largest discount ``rate`` allows on ``balance``, rounded down to the fen."""
    return (balance * rate).quantize(FEN, rounding=ROUND_DOWN)


def discount_rate(discount: Decimal, balance: Decimal) -> Decimal:
    if balance <= 0:
        return Decimal("0.0000")
    return (discount / balance).quantize(Decimal("0.0001"), rounding=ROUND_UP)


def percent(rate: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.5 → "50", 0.125 → "12.5"."""
    text = f"{(rate * 100).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def within_limit(discount: Decimal, balance: Decimal, rate: Decimal) -> bool:
    """Whether ``discount`` on ``balance`` is within the authority ``rate`` (compared in exact amounts)."""
    return discount <= balance * rate


def split(total: Decimal, months: int, first_due: dt.date) -> tuple[Row, ...]:
    """``total`` in ``months`` monthly instalments from ``first_due``, in whole fen: equal shares, the remainder fen
    one each to the first instalments, so the rows sum to ``total`` exactly."""
    if months < 1:
        raise ValueError("months must be at least 1")
    total_fen = _fen(total)
    if total_fen <= 0:
        raise ValueError("total must be greater than 0")
    base, extra = divmod(total_fen, months)
    if base == 0:
        raise ValueError("months: more instalments than fen in the total")
    return tuple(Row(n + 1, add_months(first_due, n), _yuan(base + (1 if n < extra else 0))) for n in range(months))


def plan(kind: str, balance: Decimal, discount: Decimal, months: int, first_due: dt.date) -> Proposal:
    """One arrangement's figures: ``balance`` less ``discount`` paid in ``months`` instalments."""
    if kind not in (INSTALMENT_PLAN, SETTLEMENT):
        raise ValueError(f"kind: unknown arrangement kind {kind!r}")
    balance, discount = to_money(balance), to_money(discount)
    if discount < 0:
        raise ValueError("discount must not be negative")
    if discount >= balance:
        raise ValueError("discount must be less than the balance")
    total = balance - discount
    return Proposal(kind, months, balance, discount, total, split(total, months, first_due))


def _months_needed(total: Decimal, cap: Decimal) -> int:
    return -(-_fen(total) // _fen(cap))  # ceiling division in fen


def assess(finances: Finances, balance: Balance, product_kind: str, policy: Policy | None = None, *,
           first_due: dt.date) -> Assessment:
    """Proposals the borrower can keep: instalment plans up to the longest term (:func:`bounds`: the product's, the
    creditor's or the strategy's) whose monthly amount stays within the share of the disposable income, and
    settlements with a discount within the authority available and the strategy's bound, paid within the
    settlement term (the creditor's or the strategy's, the shorter) under the same monthly cap."""
    policy = policy or Policy()
    owed = balance.total
    limits = bounds(product_kind, policy)
    longest, rate = limits.plan_months, limits.offered_rate
    disposable = finances.disposable
    cap = monthly_cap(disposable, policy.income_share)
    notes = [NOTE_ASSETS] if finances.assets_equity > 0 else []
    base = dict(balance=owed, disposable=disposable, income_share=policy.income_share, monthly_cap=cap,
                assets_equity=to_money(finances.assets_equity), max_months=longest, max_discount_rate=rate,
                bounds=limits)
    if cap <= 0 or owed <= 0:
        hardship = cap <= 0
        return Assessment(hardship=hardship, notes=tuple(([NOTE_HARDSHIP] if hardship else []) + notes), **base)
    proposals: list[Proposal] = []
    needed = _months_needed(owed, cap)
    if needed <= longest:
        # never more instalments than fen in the balance (a balance of a few fen is one instalment)
        terms = [needed] + [t for t in STANDARD_TERMS if needed < t <= min(longest, _fen(owed))][:2]
        proposals += [plan(INSTALMENT_PLAN, owed, ZERO, t, first_due) for t in terms]
    else:
        notes.append(NOTE_PLAN_NEEDS_DISCOUNT)
        discount = owed - cap * longest  # the smallest discount that makes the longest term fit
        if within_limit(discount, owed, rate):
            proposals.append(plan(INSTALMENT_PLAN, owed, discount, longest, first_due))
    seen = set()
    for r in sorted({rate, rate / 2}, reverse=True):
        discount = discount_limit(owed, r)
        if discount <= 0 or discount in seen or discount >= owed:
            continue
        seen.add(discount)
        months = _months_needed(owed - discount, cap)
        if months <= limits.settlement_months:
            proposals.append(plan(SETTLEMENT, owed, discount, months, first_due))
    if not proposals:
        notes.append(NOTE_NOTHING_FITS)
    return Assessment(hardship=False, proposals=tuple(proposals), notes=tuple(notes), **base)


def apply_payments(amounts: list[Decimal], payments: list[tuple[dt.date, Decimal]]) -> list[tuple[Decimal, dt.date | None]]:
    """Spread payments (date, amount), oldest first, over instalments in order: what each instalment has been
    paid and the day it became fully paid (None while it is not)."""
    paid = [ZERO] * len(amounts)
    paid_on: list[dt.date | None] = [None] * len(amounts)
    i = 0
    for day, amount in sorted(payments, key=lambda p: p[0]):
        left = to_money(amount)
        while left > 0 and i < len(amounts):
            take = min(left, amounts[i] - paid[i])
            paid[i] += take
            left -= take
            if paid[i] >= amounts[i]:
                paid_on[i] = day
                i += 1
    return list(zip(paid, paid_on))


def first_missed(rows: list[tuple[dt.date, Decimal, Decimal]], day: dt.date, grace_days: int) -> int | None:
    """The index of the first instalment (due date, amount, paid) still unpaid more than ``grace_days`` after its
    due date as of ``day``; None when every instalment is kept."""
    for index, (due, amount, paid) in enumerate(rows):
        if paid < amount and day > due + dt.timedelta(days=grace_days):
            return index
    return None
