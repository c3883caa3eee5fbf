"""Read queries: a case's balance, the borrower's finances, the calculator's assessment, the approvals queue."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet, Sum

from concord.core import clock
from concord.core.access import restrict
from concord.core.money import to_money
from concord.eod import strategies
from concord.loans.models import AccountStatus
from concord.staff.roles import Capability, may

from . import authority, calculator
from .models import OPEN, PENDING, Arrangement, ArrangementStatus

ZERO = Decimal("0.00")
FIRST_DUE_DAYS = 14  # the calculator's default first due date: two weeks from today


def case_balance(case) -> calculator.Balance:
    agg = case.accounts.filter(status=AccountStatus.OPEN).aggregate(
        p=Sum("principal_balance"), i=Sum("interest_balance"), pe=Sum("penalty_balance"), f=Sum("fees_balance"))
    return calculator.Balance(*(to_money(agg[k] or ZERO) for k in ("p", "i", "pe", "f")))


def product_kind(case) -> str:
    """The case's product kind; a case holding both kinds gets the stricter (shorter) maximum term. Reads the case's
    accounts the case page prefetched when it did."""
    if "accounts" in getattr(case, "_prefetched_objects_cache", {}):
        accounts = list(case.accounts.all())
        kinds = {a.product.kind for a in accounts if a.status == AccountStatus.OPEN} or {
            a.product.kind for a in accounts}
    else:
        kinds = set(case.accounts.filter(status=AccountStatus.OPEN).values_list("product__kind", flat=True))
        kinds = kinds or set(case.accounts.values_list("product__kind", flat=True))
    known = [k for k in kinds if k in calculator.PRODUCT_MAX_MONTHS] or ["online_loan"]
    return min(known, key=lambda k: calculator.PRODUCT_MAX_MONTHS[k])


def finances(debtor) -> calculator.Finances | None:
    """The latest financial profile with the equity of the debtor's assets; None when no profile is recorded."""
    profile = debtor.financial_profiles.first()
    if profile is None:
        return None
    equity = sum((a.equity for a in debtor.assets.all()), ZERO)
    return calculator.Finances(income=profile.monthly_income, household=profile.household_expenses,
                               other_debt=profile.other_debt_payments, assets_equity=equity)


def default_first_due(today: dt.date | None = None) -> dt.date:
    return (today or clock.today()) + dt.timedelta(days=FIRST_DUE_DAYS)


def strategy_offer(case) -> calculator.StrategyOffer | None:
    """The live strategy's offer bounds for ``case`` (``eod.strategies.offer_for``: the rule of the segment the last
    end-of-day run gave it, in the version the case follows), or None when no strategy rule applies — then the
    creditor's terms alone bound the offer. A rule without an offer gives a StrategyOffer with both bounds None."""
    return _as_offer(strategies.offer_for(case))


def _as_offer(found: dict | None) -> calculator.StrategyOffer | None:
    if found is None:
        return None
    pct = found.get("max_discount_pct")
    return calculator.StrategyOffer(max_discount_rate=None if pct is None else Decimal(pct) / 100,
                                    max_months=found.get("max_months"), source=str(found.get("source") or ""))


def case_policy(case, table: dict | None = None, *, strategy=False) -> calculator.Policy:
    """The calculator's policy for ``case``: the creditor's terms with the strategy's offer bounds for it.
    ``strategy``: the case's :func:`strategy_offer` when the caller already read it."""
    offer = strategy_offer(case) if strategy is False else strategy
    return authority.calculator_policy(case.creditor, table, strategy=offer)


def bounds_by_case(cases) -> dict[int, calculator.Bounds]:
    """The effective offer bounds of many cases, ``{case_id: calculator.bounds(product_kind(case),
    case_policy(case, strategy=strategy_offer(case)))}`` — what the case page shows one case at a time — read in a
    fixed number of queries plus two per distinct creditor: the strategy's offers together
    (``eod.strategies.offers_for``), each creditor's terms and approval limits once; the product kinds from the cases'
    accounts when prefetched (``accounts__product``, as the approvals page does), else one or two queries a case."""
    cases = list({c.pk: c for c in cases}.values())
    offers = strategies.offers_for(cases)
    policies: dict = {}
    out = {}
    for case in cases:
        if case.creditor_id not in policies:
            policies[case.creditor_id] = case_policy(case, authority.limits(case.creditor), strategy=None)
        policy = dataclasses.replace(policies[case.creditor_id], strategy=_as_offer(offers.get(case.pk)))
        out[case.pk] = calculator.bounds(product_kind(case), policy)
    return out


def assess_case(case, *, first_due: dt.date | None = None, table: dict | None = None,
                strategy=False) -> calculator.Assessment | None:
    money = finances(case.debtor)
    if money is None:
        return None
    return calculator.assess(money, case_balance(case), product_kind(case), case_policy(case, table, strategy=strategy),
                             first_due=first_due or default_first_due())


def affordability_snapshot(assessment: calculator.Assessment, money: calculator.Finances,
                           balance: calculator.Balance, kind: str) -> dict:
    """What the approver sees: the figures the proposal was grounded in, as stored with it."""
    return {"income": str(money.income), "household": str(money.household), "other_debt": str(money.other_debt),
            "disposable": str(assessment.disposable), "income_share": str(assessment.income_share),
            "monthly_cap": str(assessment.monthly_cap), "assets_equity": str(assessment.assets_equity),
            "balance": {"principal": str(balance.principal), "interest": str(balance.interest),
                        "penalty": str(balance.penalty), "fees": str(balance.fees), "total": str(balance.total)},
            "product_kind": kind, "max_months": assessment.max_months, "strategy": strategy_snapshot(assessment)}


def strategy_snapshot(assessment: calculator.Assessment) -> dict | None:
    """The strategy's offer bounds the proposal was checked against (None: no strategy rule applied)."""
    offer = assessment.bounds.strategy if assessment.bounds else None
    if offer is None:
        return None
    return {"max_discount_rate": None if offer.max_discount_rate is None else str(offer.max_discount_rate),
            "max_months": offer.max_months, "source": offer.source}


def visible_arrangements(user) -> QuerySet:
    return restrict(Arrangement.objects.select_related("case", "case__debtor", "case__creditor", "proposed_by"), user)


def open_arrangement(case) -> Arrangement | None:
    return case.arrangements.filter(status__in=OPEN).first()


def approvals_queue(user) -> list[Arrangement]:
    """Pending arrangements on cases the user may see that are within the user's authority to decide
    (and not their own proposals); awaiting-creditor ones for those who record the creditor's decision."""
    out, tables = [], {}
    for arrangement in visible_arrangements(user).filter(status__in=PENDING).order_by("proposed_at", "id"):
        if arrangement.status == ArrangementStatus.AWAITING_CREDITOR:
            if may(user, Capability.RECORD_CREDITOR_DECISION):
                out.append(arrangement)
            continue
        if arrangement.proposed_by_id == user.pk:
            continue
        creditor = arrangement.case.creditor
        if creditor.pk not in tables:
            tables[creditor.pk] = authority.limits(creditor)
        limit = tables[creditor.pk].get(user.role, Decimal("0"))
        if calculator.within_limit(arrangement.discount_amount, arrangement.balance, limit):
            out.append(arrangement)
    return out
