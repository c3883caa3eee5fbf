"""core.bulk's additions for writers that build rows themselves: ``check_rows`` (the field checks of
``full_clean()`` on plain rows) and ``insert_rows(keep_stamps=True)`` (history written after the fact)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concord.conftest import resident_id
from concord.core import bulk, clock
from concord.debtors.models import ContactPoint, Debtor, FinancialProfile
from concord.loans.models import Payment


def test_check_rows_accepts_what_full_clean_accepts():
    bulk.check_rows(Debtor, [{"full_name": "张三", "id_number": resident_id(seq=1), "gender": "M", "id_last4": "1234"},
                             {"full_name": "李四", "id_number": resident_id(seq=2), "gender": "", "lost_contact": True}])
    bulk.check_rows(FinancialProfile, [{"debtor_id": 1, "monthly_income": Decimal("8000.00"),
                                        "as_of": dt.date(2026, 1, 1)}])
    bulk.check_rows(Payment, [{"account_id": 1, "amount": Decimal("0.01"), "channel": "alipay",
                               "external_reference": "X", "allocation": {}, "paid_at": clock.now()}])
    bulk.check_rows(Debtor, [])


@pytest.mark.parametrize("model, row, field", [
    (Debtor, {"full_name": "", "id_number": "x"}, "full_name"),  # blank
    (Debtor, {"full_name": "张" * 101, "id_number": "x"}, "full_name"),  # max_length
    (Debtor, {"full_name": "张三", "id_number": "x", "gender": "X"}, "gender"),  # choices
    (Debtor, {"full_name": "张三", "id_number": "x", "birth_date": None, "deceased": None}, "deceased"),  # null
    (ContactPoint, {"debtor_id": 1, "kind": "pager", "value": "1"}, "kind"),
    (FinancialProfile, {"debtor_id": 1, "monthly_income": Decimal("-1.00"), "as_of": dt.date(2026, 1, 1)},
     "monthly_income"),  # MinValueValidator
    (Payment, {"account_id": 1, "amount": Decimal("1.001"), "channel": "alipay", "external_reference": "X"},
     "amount"),  # decimal places
    (Payment, {"account_id": 1, "amount": Decimal("0.00"), "channel": "alipay", "external_reference": "X"},
     "amount"),
])
def test_check_rows_refuses_what_full_clean_refuses(model, row, field):
    rows = [{"full_name": "王五", "id_number": "y"}, row] if model is Debtor else [row]  # the bad row is named
    with pytest.raises(ValidationError) as refused:
        bulk.check_rows(model, rows)
    assert field in refused.value.message_dict
    assert refused.value.message_dict[field][0].startswith(f"{model.__name__} row {len(rows)}:")


@pytest.mark.django_db
def test_insert_rows_keeps_the_stamps_a_row_gives_when_asked():
    then = dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.timezone.utc)
    before = clock.now()
    kept, stamped = bulk.insert_rows(Debtor, [
        {"full_name": "赵六", "id_number": resident_id(seq=4), "created_at": then, "updated_at": then},
        {"full_name": "钱七", "id_number": resident_id(seq=5), "created_at": None}], keep_stamps=True)
    assert (Debtor.objects.get(pk=kept).created_at, Debtor.objects.get(pk=kept).updated_at) == (then, then)
    assert Debtor.objects.get(pk=stamped).created_at >= before  # no value given: the time of the insert
    [again] = bulk.insert_rows(Debtor, [{"full_name": "孙八", "id_number": resident_id(seq=6), "created_at": then}])
    assert Debtor.objects.get(pk=again).created_at >= before  # without keep_stamps: always the time of the insert
