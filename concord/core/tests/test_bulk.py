"""core.bulk writes rows as the ORM would: defaults, encryption, blind indexes, timestamps; on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from django.db import connection

from concord.conftest import resident_id
from concord.core import bulk, clock, pii
from concord.debtors.models import Debtor

pytestmark = pytest.mark.django_db


def test_insert_rows_prepares_values_as_a_save_would():
    before = clock.now()
    ids = bulk.insert_rows(Debtor, [
        {"full_name": "张三", "id_number": resident_id(seq=1), "id_last4": resident_id(seq=1)[-4:]},
        {"full_name": "李四", "id_number": resident_id(seq=2), "locale": "en",
         "created_at": dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)},
    ])
    first, second = Debtor.objects.get(pk=ids[0]), Debtor.objects.get(pk=ids[1])
    assert (first.full_name, first.id_number, first.locale, first.time_zone, first.deceased) == (
        "张三", resident_id(seq=1), "zh-hans", "Asia/Shanghai", False)
    assert second.locale == "en" and second.id_number == resident_id(seq=2)
    field = Debtor._meta.get_field("id_number_index")
    assert first.id_number_index == field.compute(resident_id(seq=1)) != second.id_number_index
    assert first.created_at >= before and second.created_at >= before  # auto_now_add: the time of the insert
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM debtors_debtor WHERE id = %s", [ids[0]])
        [(stored,)] = cursor.fetchall()
    assert stored.startswith(pii.PREFIX) and resident_id(seq=1) not in stored  # the column holds a ciphertext


def test_insert_rows_takes_an_index_computed_by_the_caller_once():
    indexes = bulk.BlindIndexes()
    known = indexes.of(Debtor, "id_number_index", resident_id(seq=3))
    [pk] = bulk.insert_rows(Debtor, [{"full_name": "王五", "id_number": resident_id(seq=3), "id_number_index": known}],
                            indexes=indexes)
    assert Debtor.objects.get(id_number_index=known).pk == pk


def test_insert_rows_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="debtor"):
        bulk.insert_rows(Debtor, [{"full_name": "x", "debtor": 1}])
    assert bulk.insert_rows(Debtor, []) == []


def test_update_writes_the_named_fields_only():
    ids = bulk.insert_rows(Debtor, [{"full_name": f"人{i}", "id_number": resident_id(seq=10 + i)} for i in range(3)])
    people = list(Debtor.objects.filter(pk__in=ids).order_by("pk"))
    for person in people:
        person.full_name, person.locale = person.full_name + "改", "en"
    bulk.update(Debtor, people, ["full_name"])
    assert list(Debtor.objects.filter(pk__in=ids).order_by("pk").values_list("full_name", "locale")) == [
        ("人0改", "zh-hans"), ("人1改", "zh-hans"), ("人2改", "zh-hans")]
