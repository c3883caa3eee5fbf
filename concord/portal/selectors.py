"""What the borrower sees: their debts per creditor, fetched through ``core.access.restrict`` with the borrower as
the user (case scope ``debtor``), so another person's case, account, letter or order is simply not there (404)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q
from django.http import Http404

from concord.arrangements import authority, calculator
from concord.arrangements import selectors as arrangement_selectors
from concord.arrangements.models import OPEN as OPEN_PLANS
from concord.cases.models import Case
from concord.compliance.models import Complaint, Hold
from concord.core import clock
from concord.core.access import restrict
from concord.loans.models import Instalment, LoanAccount, Payment
from concord.outreach.models import OutboundMessage
from concord.workbench.models import Promise, PromiseStatus

from .models import PaymentOrder

ZERO = Decimal("0.00")


def case_of(actor, case_id) -> Case:
    case = restrict(Case.objects.select_related("creditor", "debtor"), actor).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def account_of(actor, account_id) -> LoanAccount:
    account = restrict(LoanAccount.objects.select_related("product", "case", "creditor"), actor) \
        .filter(pk=account_id).first()
    if account is None:
        raise Http404
    return account


def letter_of(actor, message_id) -> OutboundMessage:
    message = restrict(OutboundMessage.objects.select_related("case"), actor).filter(
        pk=message_id, channel="letter").first()
    if message is None:
        raise Http404
    return message


def order_of(actor, out_trade_no) -> PaymentOrder:
    order = restrict(PaymentOrder.objects.select_related("account"), actor).filter(out_trade_no=out_trade_no).first()
    if order is None:
        raise Http404
    return order


@dataclass
class AccountView:
    account: LoanAccount
    overdue: Decimal
    next_due: dt.date | None
    payments: list = field(default_factory=list)


@dataclass
class CaseView:
    case: Case
    accounts: list[AccountView]
    promise: Promise | None
    plan: object | None
    letters: list
    issues: list
    pauses: list
    orders: list

    @property
    def total(self) -> Decimal:
        return sum((a.account.total_balance for a in self.accounts), ZERO)


def _account_view(account: LoanAccount, today: dt.date) -> AccountView:
    unpaid = list(Instalment.objects.filter(account=account).filter(
        Q(principal_paid__lt=F("principal_due")) | Q(interest_paid__lt=F("interest_due"))).order_by("due_date"))
    overdue = sum((i.unpaid for i in unpaid if i.due_date <= today), ZERO) + account.penalty_balance \
        + account.fees_balance
    payments = list(Payment.objects.filter(account=account).order_by("-paid_at")[:10])
    return AccountView(account, min(overdue, account.total_balance), unpaid[0].due_date if unpaid else None, payments)


def case_view(actor, case: Case) -> CaseView:
    today = clock.today()
    accounts = [_account_view(a, today) for a in restrict(
        LoanAccount.objects.filter(case=case).select_related("product").order_by("id"), actor)]
    promise = case.promises.filter(status=PromiseStatus.PENDING).first()
    plan = case.arrangements.filter(status__in=OPEN_PLANS).prefetch_related("instalments").first()
    letters = list(OutboundMessage.objects.filter(case=case, channel="letter").order_by("-created_at")[:20])
    issues = list(Complaint.objects.filter(case=case).order_by("-received_at")[:20])
    pauses = list(Hold.objects.filter(debtor_id=case.debtor_id, creditor_id=case.creditor_id, kind="breathing_space")
                  .order_by("-placed_at")[:10])
    orders = list(PaymentOrder.objects.filter(account__case=case).order_by("-created_at")[:10])
    return CaseView(case, accounts, promise, plan, letters, issues, pauses, orders)


def debts(actor) -> list[CaseView]:
    """Every case of the borrower, grouped by creditor (one case per creditor), largest balance first."""
    cases = restrict(Case.objects.select_related("creditor"), actor).order_by("creditor__name", "id")
    return [case_view(actor, c) for c in cases]


@dataclass
class PlanOption:
    proposal: calculator.Proposal
    automatic: bool


def plan_options(case, finances: calculator.Finances | None) -> tuple[calculator.Assessment | None, list[PlanOption]]:
    """The plans the rules allow for this case with these finances (or those on file) — within the creditor's terms and
    the live strategy's offer bounds for the case — each marked whether it is
    within the automatic authority (confirmed at once) or needs an approver."""
    finances = finances or arrangement_selectors.finances(case.debtor)
    if finances is None:
        return None, []
    assessment = calculator.assess(finances, arrangement_selectors.case_balance(case),
                                   arrangement_selectors.product_kind(case),
                                   arrangement_selectors.case_policy(case), first_due=clock.today())
    limit = authority.automatic_limit(case.creditor)
    return assessment, [PlanOption(p, calculator.within_limit(p.discount_amount, p.balance, limit))
                        for p in assessment.proposals]
