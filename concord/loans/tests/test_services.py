"""Ledger actions: opening accounts with schedules, DPD and buckets, accrual within the cost cap,
payments by waterfall (idempotent, validated), reversals and settlement."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concord.cases.models import CaseStatus
from concord.cases.services import open_case
from concord.conftest import resident_id
from concord.core import audit, clock
from concord.core.models import AuditEvent
from concord.creditors.services import add_creditor, add_product
from concord.debtors.services import register_debtor
from concord.loans import delinquency, services
from concord.loans.allocation import REGULATORY_WATERFALL
from concord.loans.models import AccountStatus, LoanAccount, Payment
from concord.loans.schedule import add_months

pytestmark = pytest.mark.django_db

D = Decimal
START = dt.date(2026, 1, 10)


class Book:
    def __init__(self):
        self.creditor = add_creditor(None, code="bank", name="示例银行", kind="bank", policy_pack="cn_bank")
        self.other = add_creditor(None, code="other", name="另一家", kind="platform",
                                  policy_pack="cn_online_lending")
        self.loan_product = self.creditor.products.get(kind="online_loan")
        self.card_product = self.creditor.products.get(kind="credit_card")
        self.fee_product = add_product(None, self.creditor, kind="online_loan", code="fee", name="带滞纳金",
                                       penalty_daily_rate=D("0.0005"), late_fee=D("50"), grace_days=0,
                                       total_cost_cap_rate=None)
        self.principal_first = add_product(None, self.creditor, kind="online_loan", code="pf", name="本金优先",
                                           penalty_daily_rate=D("0.0005"), late_fee=D("50"), grace_days=0,
                                           total_cost_cap_rate=None, waterfall=list(REGULATORY_WATERFALL))
        self.capped = add_product(None, self.creditor, kind="online_loan", code="cap", name="高罚息",
                                  penalty_daily_rate=D("0.01"), late_fee=D("0"), grace_days=0,
                                  total_cost_cap_rate=D("0.24"))
        self._n = 0

    def case(self, creditor=None):
        self._n += 1
        debtor = register_debtor(None, full_name=f"借款人{self._n}", id_number=resident_id(seq=self._n))
        return open_case(None, creditor=creditor or self.creditor, debtor=debtor, opened_on=START)[0]

    def loan(self, *, product=None, method="equal_installment", amount="12000", rate="0.18", months=12,
             start=START, as_of=None, paid=0, case=None, reference=None):
        self._n += 1
        return services.open_account(None, case=case or self.case(), product=product or self.loan_product,
                                     reference=reference or f"L-{self._n:04d}", contract_amount=D(amount),
                                     annual_rate=D(rate), method=method, term_months=months, start_date=start,
                                     as_of=as_of or start, paid_instalments=paid)


@pytest.fixture
def book():
    return Book()


def _overdue_loan(book, product, *, paid=2):
    """A loan opened 6 months and 3 days ago with ``paid`` instalments repaid; balances as of today."""
    today = clock.today()
    start = add_months(today, -6) - dt.timedelta(days=3)
    return book.loan(product=product, start=start, as_of=today, paid=paid)


#: One payment time for the whole module, so a replayed payment is the same payment.
PAID_AT = clock.now().replace(microsecond=0) - dt.timedelta(hours=1)


def _pay(account, amount, ref="TX-1", *, paid_at=None, channel="bank_transfer"):
    return services.record_payment(None, account=account, amount=amount, paid_at=paid_at or PAID_AT,
                                   channel=channel, external_reference=ref)


def _state(account):
    account = LoanAccount.objects.get(pk=account.pk)
    fields = ("principal_balance", "interest_balance", "penalty_balance", "fees_balance", "credit_balance",
              "status", "dpd", "bucket")
    return ({f: getattr(account, f) for f in fields},
            list(account.instalments.order_by("number").values_list("number", "principal_paid", "interest_paid")))


class TestOpenAccount:
    @pytest.mark.parametrize("method, months, rows", [("equal_installment", 12, 12), ("equal_principal", 12, 12),
                                                      ("interest_only", 12, 12), ("bullet", 12, 1),
                                                      ("equal_installment", 1, 1)])
    def test_schedule_principal_sums_to_the_contract_amount(self, book, method, months, rows):
        account = book.loan(method=method, amount="12345.67", months=months)
        instalments = list(account.instalments.order_by("number"))
        assert len(instalments) == rows
        assert sum(i.principal_due for i in instalments) == D("12345.67")
        assert instalments[-1].due_date == add_months(START, months)
        assert account.principal_balance == D("12345.67")
        assert (account.interest_balance, account.penalty_balance, account.dpd, account.bucket) == (0, 0, 0, "M0")
        assert account.status == AccountStatus.OPEN
        assert AuditEvent.objects.filter(action="account.open", object_id=str(account.pk)).count() == 1

    def test_known_balances_dpd_and_bucket(self, book):
        # 12000 at 18% over 12 months from 2026-01-10, 2 paid; instalment 3 (due 04-10) is 40 days late.
        account = book.loan(paid=2, as_of=dt.date(2026, 5, 20))
        assert account.principal_balance == D("10145.88")          # 12000 − 920.16 − 933.96
        assert account.interest_charged == D("636.36")             # 180 + 166.20 + 152.19 + 137.97
        assert account.interest_balance == D("290.16")             # 152.19 + 137.97
        assert account.penalty_balance == D("23.77")               # 947.97×0.0005×40 + 962.19×0.0005×10
        assert (account.dpd, account.bucket) == (40, "M2")
        account.case.refresh_from_db()
        assert (account.case.max_dpd, account.case.bucket) == (40, "M2")
        assert account.case.total_balance == D("10459.81")

    @pytest.mark.parametrize("as_of, dpd, bucket", [
        (dt.date(2026, 4, 10), 0, "M0"), (dt.date(2026, 4, 11), 1, "M1"), (dt.date(2026, 5, 10), 30, "M1"),
        (dt.date(2026, 5, 11), 31, "M2"), (dt.date(2026, 10, 7), 180, "M6"), (dt.date(2026, 10, 8), 181, "M7+"),
    ])
    def test_bucket_boundaries(self, book, as_of, dpd, bucket):
        account = book.loan(paid=2, as_of=as_of)
        assert (account.dpd, account.bucket) == (dpd, bucket)

    def test_card_account(self, book):
        account = services.open_account(
            None, case=book.case(), product=book.card_product, reference="CARD-1", contract_amount=D("20000"),
            annual_rate=D("0.18"), method="revolving", start_date=START, as_of=dt.date(2026, 11, 28),
            card_principal=D("15000.00"), card_interest=D("450.00"), card_overdue_since=dt.date(2026, 9, 5))
        assert (account.dpd, account.bucket) == (84, "M3")
        assert account.minimum_payment == D("1950.00")              # 10% × 15000 + 450
        assert account.principal_balance == D("15000.00") and account.interest_balance == D("450.00")
        assert account.penalty_balance == D("630.00")               # 15000 × 0.0005 × 84
        inst = account.instalments.get()
        assert (inst.principal_due, inst.interest_due) == (D("15000.00"), D("450.00"))

    def test_card_needs_principal_and_overdue_date(self, book):
        with pytest.raises(ValidationError) as exc:
            services.open_account(None, case=book.case(), product=book.card_product, reference="CARD-2",
                                  contract_amount=D("20000"), annual_rate=D("0.18"), method="revolving",
                                  start_date=START, card_principal=D("0"))
        assert {"card_principal", "card_overdue_since"} <= set(exc.value.message_dict)

    @pytest.mark.parametrize("kwargs, field", [
        (dict(method="balloon"), "method"), (dict(months=0), "term_months"), (dict(months=601), "term_months"),
        (dict(paid=13), "paid_instalments"), (dict(amount="0"), "contract_amount"),
        (dict(amount="-100"), "contract_amount"),
        (dict(rate="1.5"), "annual_rate"), (dict(start=dt.date(2026, 12, 1), as_of=dt.date(2026, 11, 1)),
                                            "start_date"),
    ])
    def test_bad_input_names_the_field_and_writes_nothing(self, book, kwargs, field):
        case = book.case()
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as exc:
            book.loan(case=case, **kwargs)
        assert field in exc.value.message_dict
        assert not LoanAccount.objects.exists() and AuditEvent.objects.count() == before

    def test_product_of_another_creditor_is_refused(self, book):
        with pytest.raises(ValidationError) as exc:
            book.loan(case=book.case(book.other))
        assert "product" in exc.value.message_dict

    def test_duplicate_reference_is_refused(self, book):
        book.loan(reference="DUP-1")
        with pytest.raises(ValidationError):
            book.loan(reference="DUP-1")
        assert LoanAccount.objects.filter(reference="DUP-1").count() == 1


class TestAccrual:
    def test_cost_cap_limits_penalty(self, book):
        as_of = dt.date(2026, 11, 28)
        account = book.loan(product=book.capped, start=dt.date(2025, 1, 10), as_of=as_of)
        rule = services.penalty_rule(book.capped)
        uncapped = delinquency.penalty_accrued(services.due_items(account), as_of, rule)
        cap = (D("12000") * D("0.24") * (as_of - dt.date(2025, 1, 10)).days / 365).quantize(D("0.01"))
        assert account.interest_charged + uncapped > cap
        assert account.penalty_balance < uncapped
        assert account.interest_charged + account.penalty_balance + account.fees_balance == cap

    def test_accrual_moves_forward_and_never_lowers_charges(self, book):
        account = book.loan(paid=2, as_of=dt.date(2026, 5, 20))
        later = services.accrue_charges(None, account, dt.date(2026, 6, 20))
        assert later.penalty_balance > D("23.77")
        again = services.accrue_charges(None, later, dt.date(2026, 5, 21))
        assert again.penalty_balance == later.penalty_balance
        assert AuditEvent.objects.filter(action="account.accrue").count() == 2


class TestRecordPayment:
    def test_default_waterfall_fees_penalty_interest_principal(self, book):
        account = _overdue_loan(book, book.fee_product)
        fees, penalty, interest = account.fees_balance, account.penalty_balance, account.interest_balance
        assert fees > 0 and penalty > 0 and interest > 0
        amount = fees + penalty + D("10.00")
        payment, created = _pay(account, amount)
        assert created
        assert payment.allocation["parts"] == {"fees": str(fees), "penalty": str(penalty), "interest": "10.00",
                                               "principal": "0.00"}
        account.refresh_from_db()
        assert (account.fees_balance, account.penalty_balance) == (0, 0)
        assert account.interest_balance == interest - D("10.00")
        first_unpaid = account.instalments.get(number=3)
        assert first_unpaid.interest_paid == D("10.00") and first_unpaid.principal_paid == 0
        assert payment.allocation["instalments"] == [{"number": 3, "principal": "0.00", "interest": "10.00"}]
        event = AuditEvent.objects.get(action="payment.record")
        assert event.object_id == str(payment.pk) and event.changes["amount"] == str(amount)

    def test_principal_first_waterfall(self, book):
        account = _overdue_loan(book, book.principal_first)
        before = _state(account)[0]
        payment, _ = _pay(account, D("1000.00"))
        assert payment.allocation["parts"] == {"principal": "1000.00", "interest": "0.00", "penalty": "0.00",
                                               "fees": "0.00"}
        account.refresh_from_db()
        assert account.principal_balance == before["principal_balance"] - D("1000.00")
        assert (account.fees_balance, account.penalty_balance) == (before["fees_balance"],
                                                                   before["penalty_balance"])
        inst3, inst4 = account.instalments.filter(number__in=[3, 4]).order_by("number")
        assert inst3.principal_paid == inst3.principal_due            # oldest instalment first
        assert inst4.principal_paid == D("1000.00") - inst3.principal_due

    @pytest.mark.parametrize("extra", ["0.01", "total-0.01", "total", "total+123.45"])
    def test_allocation_sums_equal_the_amount(self, book, extra):
        account = _overdue_loan(book, book.fee_product)
        total = account.total_balance
        amount = {"0.01": D("0.01"), "total-0.01": total - D("0.01"), "total": total,
                  "total+123.45": total + D("123.45")}[extra]
        payment, _ = _pay(account, amount)
        parts = sum(D(v) for v in payment.allocation["parts"].values())
        remainder = D(payment.allocation["remainder"])
        assert parts + remainder == amount == payment.amount
        account.refresh_from_db()
        assert account.total_balance == total - parts and account.credit_balance == remainder
        paid_on_instalments = sum(D(p["principal"]) + D(p["interest"]) for p in payment.allocation["instalments"])
        assert paid_on_instalments == D(payment.allocation["parts"]["principal"]) + D(
            payment.allocation["parts"]["interest"])

    def test_idempotent_replay_writes_nothing(self, book):
        account = _overdue_loan(book, book.fee_product)
        first, created = _pay(account, "500", "TX-REPLAY")
        assert created
        state, events = _state(account), AuditEvent.objects.count()
        again, created = _pay(account, D("500.00"), " TX-REPLAY ")
        assert (again.pk, created) == (first.pk, False)
        assert _state(account) == state and AuditEvent.objects.count() == events
        assert Payment.objects.count() == 1

    def test_reused_reference_with_another_amount_is_refused(self, book):
        account = _overdue_loan(book, book.fee_product)
        other = _overdue_loan(book, book.fee_product)
        _pay(account, "500", "TX-DUP")
        state, events = _state(account), AuditEvent.objects.count()
        with pytest.raises(ValidationError) as exc:
            _pay(account, "501", "TX-DUP")
        assert "external_reference" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _pay(other, "500", "TX-DUP")                       # same creditor, another account
        assert "external_reference" in exc.value.message_dict
        assert _state(account) == state and AuditEvent.objects.count() == events
        assert Payment.objects.count() == 1

    @pytest.mark.parametrize("kwargs, field", [
        (dict(amount="-5"), "amount"), (dict(amount="0"), "amount"), (dict(amount=D("0.00")), "amount"),
        (dict(amount="abc"), "amount"), (dict(amount=12.5), "amount"), (dict(amount=None), "amount"),
        (dict(amount="1e15"), "amount"),
        (dict(paid_at="future"), "paid_at"), (dict(paid_at="naive"), "paid_at"),
        (dict(paid_at="before_start"), "paid_at"),
        (dict(channel="carrier_pigeon"), "channel"), (dict(external_reference="  "), "external_reference"),
    ])
    def test_bad_payment_is_refused_with_nothing_written(self, book, kwargs, field):
        account = _overdue_loan(book, book.fee_product)
        state, events = _state(account), AuditEvent.objects.count()
        paid_at = {"future": clock.now() + dt.timedelta(days=1),
                   "naive": dt.datetime(2026, 12, 1, 10, 0),
                   "before_start": clock.now() - dt.timedelta(days=400)}.get(kwargs.pop("paid_at", None))
        args = dict(amount="100", paid_at=paid_at or clock.now(), channel="alipay", external_reference="TX-9")
        args.update(kwargs)
        with pytest.raises(ValidationError) as exc:
            services.record_payment(None, account=account, **args)
        assert field in exc.value.message_dict
        assert _state(account) == state and AuditEvent.objects.count() == events
        assert not Payment.objects.exists()

    def test_payment_clearing_everything_settles_account_and_case(self, book):
        account = _overdue_loan(book, book.fee_product)
        assert account.case.status == CaseStatus.NEW
        payment, _ = _pay(account, account.total_balance, "TX-ALL")
        account.refresh_from_db()
        assert account.total_balance == 0 and account.status == AccountStatus.SETTLED and account.dpd == 0
        assert all(i.principal_paid == i.principal_due for i in account.instalments.all())
        case = account.case
        case.refresh_from_db()
        assert case.status == CaseStatus.SETTLED and case.closed_on == clock.today()
        assert case.total_balance == 0
        # a later payment on a settled account is an overpayment kept as credit
        more, _ = _pay(account, "10", "TX-MORE")
        account.refresh_from_db()
        assert account.credit_balance == D("10.00") and more.allocation["remainder"] == "10.00"

    def test_recalled_account_takes_no_payment(self, book):
        account = _overdue_loan(book, book.fee_product)
        LoanAccount.objects.filter(pk=account.pk).update(status=AccountStatus.RECALLED)
        with pytest.raises(ValidationError) as exc:
            _pay(account, "100")
        assert "account" in exc.value.message_dict


class TestReversal:
    def test_reversal_restores_balances_and_instalments_exactly(self, book):
        account = _overdue_loan(book, book.fee_product)
        _pay(account, "300", "TX-A")
        before = _state(account)
        payment, _ = _pay(account, account.total_balance + D("50"), "TX-B")   # settles, with an overpayment
        assert _state(account)[0]["status"] == AccountStatus.SETTLED
        services.reverse_payment(None, payment, reason="银行退票")
        assert _state(account) == before
        payment.refresh_from_db()
        assert payment.is_reversed and payment.reversal_reason == "银行退票"
        account.case.refresh_from_db()
        assert account.case.status == CaseStatus.OPEN and account.case.closed_on is None  # reopened
        assert AuditEvent.objects.filter(action="payment.reverse", object_id=str(payment.pk)).count() == 1
        assert audit.verify_chain().ok

    def test_reversal_needs_a_reason_and_happens_once(self, book):
        account = _overdue_loan(book, book.fee_product)
        payment, _ = _pay(account, "100")
        with pytest.raises(ValidationError) as exc:
            services.reverse_payment(None, payment, reason="  ")
        assert "reason" in exc.value.message_dict
        services.reverse_payment(None, payment, reason="录入错误")
        with pytest.raises(ValidationError) as exc:
            services.reverse_payment(None, payment, reason="again")
        assert "payment" in exc.value.message_dict
        assert AuditEvent.objects.filter(action="payment.reverse").count() == 1


def test_followers_run_after_a_payment_and_its_reversal(world):
    from concord.loans import followers

    seen = []

    def follow(actor, account, payment, *, reversed):
        seen.append((account.reference, payment.external_reference, reversed))

    followers.register(follow)
    try:
        account = world.cases["b"].accounts.get()
        payment, _new = services.record_payment(None, account=account, amount=Decimal("100"),
                                                paid_at=clock.now(), channel="alipay", external_reference="F-1")
        services.reverse_payment(None, payment, reason="退票")
    finally:
        followers._PAYMENT_FOLLOWERS.remove(follow)
    assert seen == [("LOAN-0002", "F-1", False), ("LOAN-0002", "F-1", True)]
