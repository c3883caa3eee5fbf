"""A payment above the account's balance: accepted up to the balance, the excess held as an item to refund that
the creditor sees (the case page, the payment's audit event), cancelled with the payment's reversal."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from concord.core.models import AuditEvent
from concord.loans import services
from concord.loans.models import Overpayment, OverpaymentStatus

from .test_services import _overdue_loan, _pay, book  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_excess_above_the_balance_is_held_as_an_item_to_refund(book):  # noqa: F811
    account = _overdue_loan(book, book.fee_product)
    balance = account.total_balance
    payment, created = _pay(account, D("999999999.00"), "TX-HUGE")
    assert created
    account.refresh_from_db()
    assert account.total_balance == 0
    excess = Overpayment.objects.get(payment=payment)
    assert excess.amount == D("999999999.00") - balance and excess.status == OverpaymentStatus.HELD
    assert excess.creditor_id == account.creditor_id
    recorded = AuditEvent.objects.get(action="payment.record", object_id=str(payment.pk))
    assert D(recorded.changes["excess"]) == excess.amount
    assert AuditEvent.objects.filter(action="payment.overpayment", object_id=str(excess.pk)).exists()
    services.reverse_payment(None, payment, reason="录入错误")
    excess.refresh_from_db()
    assert excess.status == OverpaymentStatus.CANCELLED


def test_a_payment_within_the_balance_holds_nothing(book):  # noqa: F811
    account = _overdue_loan(book, book.fee_product)
    _pay(account, "100", "TX-SMALL")
    assert not Overpayment.objects.exists()


def test_the_case_page_says_the_excess_is_held_for_refund(client, world):
    from concord.loans.models import LoanAccount

    account = LoanAccount.objects.filter(case=world.cases["a"]).first()
    client.force_login(world.users["manager"])
    response = client.post(f"/cases/{account.case_id}/payments/", {
        "account": account.pk, "amount": str(account.total_balance + D("50")), "paid_at": "2026-12-07T09:00",
        "channel": "bank_transfer", "external_reference": "TX-OVER"}, follow=True)
    page = response.content.decode()
    assert "50.00" in page and "溢缴款" in page, page[:2000]
    assert Overpayment.objects.get().amount == D("50.00")
