"""The demo's ledger replay: loan and card accounts as plain data, moved through the ledger's own pure math.

``concord.loans.services`` opens accounts, records payments and accrues charges one row at a time through the ORM;
the demo needs the same results for six thousand accounts over two months in a few seconds. This module repeats
those services step for step on plain objects, with the same pure functions (``schedule.build_schedule``,
``schedule.card_minimum_payment``, ``allocation.allocate``, ``delinquency.penalty_accrued`` / ``fees_accrued`` /
``apply_cost_cap`` / ``days_past_due`` / ``bucket``), so that what the seeder writes is what the services would have
written (``concord/demo/tests/test_ledger.py`` checks it against the services, account by account):

- :func:`open_loan` / :func:`open_card` — ``services.open_account`` (its checks, its rows, ``_accrue``,
  ``_after_change``);
- :func:`pay` — ``services.record_payment`` (the product's waterfall, the oldest instalments first, the allocation
  JSON the payment row keeps, DPD and status as of the payment's day);
- :func:`close_through` — the end-of-day run of every day up to a date: each day's run accrues penalty and fees
  as ``services.accrue_charges`` does and never lowers what an earlier day accrued. Between two payments an
  account's unpaid instalments do not change, so the day-by-day result is the same as accruing only on the days
  where it can peak (the eve of each day a late fee is added, and the last day): this computes those days only.

No Django import: amounts are ``Decimal`` to the fen, dates are ``datetime.date``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from concord.core.money import to_money
from concord.loans import allocation, delinquency, schedule

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")
OPEN, SETTLED = "open", "settled"
REVOLVING = schedule.RepaymentMethod.REVOLVING.value
LOAN_METHODS = {m.value for m in schedule.RepaymentMethod} - {REVOLVING}


@dataclass(frozen=True)
class ProductTerms:
    """What the ledger reads of a product (``concord.creditors.models.Product``)."""

    kind: str
    rule: delinquency.PenaltyRule
    waterfall: tuple[str, ...]
    min_payment_rate: Decimal
    min_payment_floor: Decimal
    promise_grace_days: int

    @classmethod
    def of(cls, product) -> ProductTerms:
        return cls(kind=product.kind, waterfall=tuple(product.waterfall), min_payment_rate=product.min_payment_rate,
                   min_payment_floor=product.min_payment_floor, promise_grace_days=product.promise_grace_days,
                   rule=delinquency.PenaltyRule(daily_rate=product.penalty_daily_rate,
                                                compound_on_interest=product.compound_on_interest,
                                                grace_days=product.grace_days, late_fee=product.late_fee,
                                                total_cost_cap_rate=product.total_cost_cap_rate))


@dataclass(slots=True)
class Item:
    """One instalment as due and as paid so far (``concord.loans.models.Instalment``)."""

    number: int
    due_date: dt.date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    pk: int | None = None
    _due: delinquency.DueItem | None = field(default=None, repr=False, compare=False)  # of the amounts paid so far

    def due_item(self) -> delinquency.DueItem:
        due = self._due
        if due is None or due.principal_paid != self.principal_paid or due.interest_paid != self.interest_paid:
            due = self._due = delinquency.DueItem(self.due_date, self.principal_due, self.interest_due,
                                                  self.principal_paid, self.interest_paid)
        return due

    @property
    def settled(self) -> bool:
        return self.principal_paid >= self.principal_due and self.interest_paid >= self.interest_due

    @property
    def unpaid(self) -> Decimal:
        return self.principal_due + self.interest_due - self.principal_paid - self.interest_paid


@dataclass(slots=True, eq=False)
class Account:
    """A loan or card account (``concord.loans.models.LoanAccount``) with its instalments."""

    terms: ProductTerms
    reference: str
    contract_amount: Decimal
    annual_rate: Decimal
    method: str
    start_date: dt.date
    term_months: int = 0
    statement_day: int | None = None
    due_day: int | None = None
    credit_limit: Decimal | None = None
    items: list[Item] = field(default_factory=list)
    principal_balance: Decimal = ZERO
    interest_balance: Decimal = ZERO
    penalty_balance: Decimal = ZERO
    fees_balance: Decimal = ZERO
    interest_charged: Decimal = ZERO
    penalty_accrued: Decimal = ZERO
    fees_accrued: Decimal = ZERO
    credit_balance: Decimal = ZERO
    minimum_payment: Decimal = ZERO
    dpd: int = 0
    bucket: str = "M0"
    status: str = OPEN
    balances_as_of: dt.date | None = None
    closed_through: dt.date | None = None  # the last day whose end-of-day accrual is in the balances
    pk: int | None = None
    case: object = None  # the demo's case record
    placed_on: dt.date | None = None  # the day the creditor placed it (the demo's placement batch)

    @property
    def total_balance(self) -> Decimal:
        return self.principal_balance + self.interest_balance + self.penalty_balance + self.fees_balance

    def balances(self) -> dict[str, Decimal]:
        return {"principal": self.principal_balance, "interest": self.interest_balance,
                "penalty": self.penalty_balance, "fees": self.fees_balance}

    def due_items(self) -> list[delinquency.DueItem]:
        return [i.due_item() for i in self.items]

    def oldest_unsettled_due(self) -> dt.date | None:
        dates = [i.due_date for i in self.items if not i.settled]
        return min(dates) if dates else None

    def dpd_on(self, day: dt.date) -> int:
        """``delinquency.days_past_due`` of the instalments as they are, on ``day``."""
        return delinquency.days_past_due(self.due_items(), day)

    def oldest_unpaid(self) -> Item | None:
        for item in self.items:
            if not item.settled:
                return item
        return None


class LedgerError(ValueError):
    """What the ledger service would refuse (a ValidationError there), with the field it names."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


# --- opening ---------------------------------------------------------------------------------------------------
def open_loan(terms: ProductTerms, *, reference: str, contract_amount, annual_rate, method: str, term_months: int,
              start_date: dt.date, as_of: dt.date, paid_instalments: int = 0) -> Account:
    """A loan with its schedule, the first ``paid_instalments`` repaid, charges accrued to ``as_of``
    (``services.open_account`` with ``services._loan_rows``)."""
    if method not in LOAN_METHODS:
        raise LedgerError("method", f"unknown repayment method {method!r}")
    if start_date > as_of:
        raise LedgerError("start_date", f"start {start_date} after the balance date {as_of}")
    account = Account(terms, reference, to_money(contract_amount), Decimal(annual_rate), method, start_date,
                      term_months=term_months)
    try:
        plan = schedule.build_schedule(method, account.contract_amount, account.annual_rate, term_months, start_date)
    except (TypeError, ValueError) as exc:
        raise LedgerError("term_months", str(exc))
    if not 0 <= paid_instalments <= len(plan):
        raise LedgerError("paid_instalments", "paid instalments out of range")
    for inst in plan:
        paid = inst.number <= paid_instalments
        account.items.append(Item(inst.number, inst.due_date, inst.principal, inst.interest,
                                  inst.principal if paid else ZERO, inst.interest if paid else ZERO))
    principal_paid = sum((i.principal_paid for i in account.items), ZERO)
    account.principal_balance = account.contract_amount - principal_paid
    account.interest_charged = sum((i.interest_due for i in account.items if i.due_date <= as_of), ZERO)
    account.interest_balance = sum((i.interest_due - i.interest_paid for i in account.items if i.due_date <= as_of),
                                   ZERO)
    _opened(account, as_of)
    return account


def open_card(terms: ProductTerms, *, reference: str, credit_limit, annual_rate, start_date: dt.date, as_of: dt.date,
              statement_day: int, due_day: int, principal, interest, overdue_since: dt.date) -> Account:
    """A card account with its overdue statement balance as one instalment, charges accrued to ``as_of``
    (``services.open_account`` with ``services._card_rows``)."""
    if start_date > as_of:
        raise LedgerError("start_date", f"start {start_date} after the balance date {as_of}")
    principal, interest = to_money(principal), to_money(interest or 0)
    if principal <= 0:
        raise LedgerError("card_principal", "card principal must be greater than 0")
    if overdue_since < start_date:
        raise LedgerError("card_overdue_since", "overdue date before the card was opened")
    limit = to_money(credit_limit)
    account = Account(terms, reference, limit, Decimal(annual_rate), REVOLVING, start_date, statement_day=statement_day,
                      due_day=due_day, credit_limit=limit)
    account.principal_balance, account.interest_balance, account.interest_charged = principal, interest, interest
    account.minimum_payment = schedule.card_minimum_payment(
        principal + interest, fees_and_interest=interest, rate=terms.min_payment_rate, floor=terms.min_payment_floor)
    account.items.append(Item(1, overdue_since, principal, interest))
    _opened(account, as_of)
    return account


def _opened(account: Account, as_of: dt.date) -> None:
    accrue(account, as_of)
    account.closed_through = as_of
    _after_change(account, as_of)


# --- accrual ---------------------------------------------------------------------------------------------------
def accrue(account: Account, as_of: dt.date) -> None:
    """Bring penalty and fees up to ``as_of``, never lowering what was already charged, within the cost cap
    (``services._accrue``)."""
    rule = account.terms.rule
    items = account.due_items()
    penalty = delinquency.penalty_accrued(items, as_of, rule)
    fees = delinquency.fees_accrued(items, as_of, rule)
    penalty, fees = delinquency.apply_cost_cap(
        contract_principal=account.contract_amount, interest_charged=account.interest_charged, penalty=penalty,
        fees=fees, start=account.start_date, as_of=as_of, cap_rate=rule.total_cost_cap_rate)
    new_penalty, new_fees = max(penalty, account.penalty_accrued), max(fees, account.fees_accrued)
    account.penalty_balance += new_penalty - account.penalty_accrued
    account.fees_balance += new_fees - account.fees_accrued
    account.penalty_accrued, account.fees_accrued, account.balances_as_of = new_penalty, new_fees, as_of


def _after_change(account: Account, as_of: dt.date) -> None:
    """DPD, bucket and status (``services._after_change``, without the save)."""
    account.dpd = delinquency.days_past_due(account.due_items(), as_of)
    account.bucket = delinquency.bucket(account.dpd)
    if account.status == OPEN and account.total_balance == 0:
        account.status = SETTLED
    elif account.status == SETTLED and account.total_balance > 0:
        account.status = OPEN


def close_through(account: Account, day: dt.date) -> None:
    """The end-of-day runs of every day after ``account.closed_through`` up to ``day``: accrual as
    ``services.accrue_charges`` gives it on each of those days (DPD, bucket and status as of ``day``)."""
    last = account.closed_through
    if last is not None and day <= last:
        return
    if account.status in (OPEN, SETTLED):
        for point in _peaks(account, last, day):
            accrue(account, point)
    account.closed_through = day
    _after_change(account, day)
    account.balances_as_of = day


def _peaks(account: Account, after: dt.date | None, day: dt.date) -> list[dt.date]:
    """The days in (``after``, ``day``] on which the accrued charges can reach their highest: ``day``, and, when
    the product charges a late fee, the eve of each day one more instalment passes its grace period (a new fee
    can lower the penalty the cost cap leaves room for; between such days penalty and fees only grow)."""
    points = {day}
    rule = account.terms.rule
    if rule.late_fee and rule.total_cost_cap_rate is not None:
        for item in account.items:
            if item.settled:
                continue
            eve = item.due_date + dt.timedelta(days=rule.grace_days)  # the next day is its first beyond grace
            if (after is None or eve > after) and eve < day:
                points.add(eve)
    return sorted(points)


# --- payments --------------------------------------------------------------------------------------------------
def pay(account: Account, amount: Decimal, day: dt.date) -> dict:
    """Apply a repayment on ``day`` by the product's waterfall (``services.record_payment``); returns the payment's
    allocation JSON. The balances are those of the last end-of-day run before ``day``."""
    if account.status not in (OPEN, SETTLED):
        raise LedgerError("account", f"account status {account.status}: no payment can be posted")
    amount = to_money(amount)
    if not ZERO < amount <= MAX_AMOUNT:
        raise LedgerError("amount", f"amount {amount} out of range")
    split = allocation.allocate(amount, account.balances(), account.terms.waterfall)
    applied = _apply_to_instalments(account, split.parts["principal"], split.parts["interest"])
    account.principal_balance -= split.parts["principal"]
    account.interest_balance -= split.parts["interest"]
    account.penalty_balance -= split.parts["penalty"]
    account.fees_balance -= split.parts["fees"]
    account.credit_balance += split.remainder
    _after_change(account, max(day, account.balances_as_of or account.start_date))
    return {"parts": {k: str(v) for k, v in split.parts.items()}, "remainder": str(split.remainder),
            "instalments": applied}


def _apply_to_instalments(account: Account, principal: Decimal, interest: Decimal) -> list[dict]:
    """Interest then principal of the oldest instalments first (``services._apply_to_instalments``)."""
    applied = []
    for inst in account.items:
        pay_i = min(interest, inst.interest_due - inst.interest_paid)
        pay_p = min(principal, inst.principal_due - inst.principal_paid)
        if pay_i <= 0 and pay_p <= 0:
            continue
        inst.interest_paid += max(pay_i, ZERO)
        inst.principal_paid += max(pay_p, ZERO)
        interest -= max(pay_i, ZERO)
        principal -= max(pay_p, ZERO)
        applied.append({"number": inst.number, "principal": str(max(pay_p, ZERO)), "interest": str(max(pay_i, ZERO))})
        if interest <= 0 and principal <= 0:
            break
    return applied


def cure_amount(account: Account) -> Decimal:
    """The payment that settles the oldest unpaid instalment through the product's waterfall: every component paid
    before principal, then that instalment's principal (``ZERO`` when nothing is unpaid)."""
    oldest = account.oldest_unpaid()
    if oldest is None:
        return ZERO
    balances = account.balances()
    waterfall = account.terms.waterfall
    before = waterfall[:waterfall.index("principal")]
    amount = sum((balances[c] for c in before), ZERO) + max(oldest.principal_due - oldest.principal_paid, ZERO)
    if "interest" not in before:  # interest after principal: the principal part pays every older principal first
        amount += max(oldest.interest_due - oldest.interest_paid, ZERO)
    return amount


def case_figures(accounts: list[Account]) -> tuple[Decimal, int, str]:
    """A case's total balance, maximum DPD and bucket from its open accounts (``refresh_case_summary``)."""
    open_ = [a for a in accounts if a.status == OPEN]
    total = sum((a.total_balance for a in open_), ZERO)
    dpd = max((a.dpd for a in open_), default=0)
    return total, dpd, delinquency.bucket(dpd)
