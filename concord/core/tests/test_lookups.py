"""``__any_of`` finds the same rows as ``__in``, with one array parameter on PostgreSQL."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.creditors.models import Creditor
from concord.creditors.services import add_creditor
from concord.debtors.models import Debtor
from concord.debtors.services import register_debtor

pytestmark = pytest.mark.django_db


@pytest.fixture
def creditors(db):
    return [add_creditor(None, code=f"c{i}", name=f"委托方{i}", kind="platform", policy_pack="cn_online_lending")
            for i in range(5)]


def test_any_of_matches_what_in_matches(creditors):
    codes = ["c1", "c3", "nobody", None]
    found = sorted(Creditor.objects.filter(code__any_of=codes).values_list("pk", flat=True))
    assert found == sorted(Creditor.objects.filter(code__in=codes).values_list("pk", flat=True))
    assert len(found) == 2
    ids = [c.pk for c in creditors[:3]]
    assert sorted(Creditor.objects.filter(pk__any_of=ids).values_list("pk", flat=True)) == sorted(ids)
    assert not Creditor.objects.filter(code__any_of=[]).exists()
    assert not Creditor.objects.filter(code__any_of=[None]).exists()


def test_any_of_sends_one_parameter_on_postgresql(creditors):
    codes = [f"x{i}" for i in range(3000)] + ["c2"]
    with CaptureQueriesContext(connection) as queries:
        assert [c.code for c in Creditor.objects.filter(code__any_of=codes)] == ["c2"]
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_any_of_on_a_blind_index_and_a_foreign_key(creditors):
    from concord.conftest import resident_id
    from concord.creditors.models import Product

    debtor = register_debtor(None, full_name="张三", id_number=resident_id(seq=5))
    index = Debtor._meta.get_field("id_number_index").compute(debtor.id_number)
    assert list(Debtor.objects.filter(id_number_index__any_of=[index, "nothing"])) == [debtor]
    by_fk = Product.objects.filter(creditor_id__any_of=[creditors[0].pk, creditors[1].pk])
    expected = sorted(Product.objects.filter(creditor__in=creditors[:2]).values_list("pk", flat=True))
    assert expected and sorted(by_fk.values_list("pk", flat=True)) == expected
    # values that need preparing (model instances, numeric text) go through Django's own preparation
    assert sorted(Product.objects.filter(creditor__any_of=creditors[:2]).values_list("pk", flat=True)) == expected
    assert list(Creditor.objects.filter(pk__any_of=[str(creditors[0].pk)])) == [creditors[0]]
