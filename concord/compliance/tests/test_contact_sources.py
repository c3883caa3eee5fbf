"""Contact data does not cross creditors: a point records who supplied it (a creditor, or the debtor about one case);
a case uses only its own creditor's points and those the debtor gave about it, unless both creditors allow sharing.
The case page offers only those, and the gate denies another creditor's point, naming the source in its decision."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from concord.cases.services import assign_case, open_case
from concord.compliance import provenance, services
from concord.compliance.selectors import contact_options
from concord.core import clock
from concord.debtors import services as debtors
from concord.workbench import calls
from concord.workbench.case_page import call_targets

pytestmark = pytest.mark.django_db
BANK_PHONE = "+8613812348000"  # case a's debtor, from the bank's placement (conftest.make_case)


@pytest.fixture
def two(world):
    """张三 at the bank (case a) and now also at the platform (a new case, the same collector)."""
    from concord.compliance import services as compliance

    bank_case = world.cases["a"]
    fin_case, _ = open_case(None, creditor=world.creditors["fin"], debtor=bank_case.debtor)
    assign_case(None, fin_case, collector=world.users["col_a"], team=world.teams["A"])
    on = clock.today() - dt.timedelta(days=30)
    for kind in ("pre_job_training", "pre_job_exam"):
        compliance.record_qualification(None, user=world.users["col_a"], kind=kind, passed_on=on)
    return bank_case, fin_case


def _phones(case, user):
    return {t.number for t in call_targets(case, user) if t.party is None}


def test_another_creditors_phone_is_neither_offered_nor_allowed(two, world):
    bank_case, fin_case = two
    collector = world.users["col_a"]
    point = bank_case.debtor.contact_points.get(kind="mobile")
    assert point.suppliers == [world.creditors["bank"].pk]
    assert _phones(bank_case, collector) == {BANK_PHONE}
    assert _phones(fin_case, collector) == set()
    assert not [o for o in contact_options(fin_case, collector) if o.action in ("call", "sms")]
    denied = calls.start_call(collector, fin_case, contact_point=point)
    assert not denied.allowed and "SOURCE" in denied.rules
    assert denied.inputs["source"]["kind"] == "other_creditor" and denied.inputs["source"]["creditor"] == "bank"
    assert "bank" in denied.reason_zh
    allowed = calls.start_call(collector, bank_case, contact_point=point)
    assert allowed.allowed, allowed.reason_zh
    assert allowed.inputs["source"] == {"kind": "creditor", "creditor": "bank", "case": None,
                                        "text": allowed.inputs["source"]["text"]}


def test_a_number_the_debtor_gave_about_one_case_serves_that_case(two, world):
    bank_case, fin_case = two
    given = debtors.add_contact_point(None, fin_case.debtor, kind="mobile", value="13566667777", status="valid",
                                      source="debtor", given_for_case=fin_case)
    assert given.suppliers == [world.creditors["fin"].pk]
    collector = world.users["col_a"]
    assert _phones(fin_case, collector) == {"+8613566667777"}
    assert _phones(bank_case, collector) == {BANK_PHONE}
    decision = services.decide_contact(collector, case=fin_case, channel="call", number="+8613566667777")
    assert decision.inputs["source"]["kind"] == "debtor" and decision.inputs["source"]["case"] == fin_case.pk


def test_sharing_needs_both_creditors(two, world):
    bank_case, fin_case = two
    bank = world.creditors["bank"]
    collector = world.users["col_a"]
    from concord.creditors.services import set_contact_sharing

    set_contact_sharing(None, bank, allow=True)
    assert _phones(fin_case, collector) == set()  # the platform does not share
    call_command("creditor", "sharing", "fin", "on", stdout=StringIO())
    fin_case = type(fin_case).objects.get(pk=fin_case.pk)  # a new request reads the settings again
    assert _phones(fin_case, collector) == {BANK_PHONE}
    decision = services.decide_contact(collector, case=fin_case, channel="call", number=BANK_PHONE)
    assert "SOURCE" not in decision.rules and decision.inputs["source"]["kind"] == "shared"


def test_a_creditor_supplying_a_known_number_may_use_it(two, world):
    bank_case, fin_case = two
    point, added = debtors.merge_contact_point(None, fin_case.debtor, kind="mobile", value=BANK_PHONE,
                                               supplied_by=world.creditors["fin"])
    assert not added and point.suppliers == [world.creditors["bank"].pk, world.creditors["fin"].pk]
    assert _phones(fin_case, world.users["col_a"]) == {BANK_PHONE}


def test_the_data_migration_credits_the_first_placing_creditor(two, world):
    import importlib

    from django.apps import apps

    from concord.debtors.models import ContactPoint

    migration = importlib.import_module("concord.debtors.migrations.0004_contact_point_suppliers")
    ContactPoint.objects.update(suppliers=[])
    migration.first_placing_creditor(apps, None)
    bank_case = two[0]
    assert set(tuple(s) for s in ContactPoint.objects.filter(debtor=bank_case.debtor)
               .values_list("suppliers", flat=True)) == {(world.creditors["bank"].pk,)}
    assert provenance.first_creditor(bank_case.debtor) == world.creditors["bank"].pk
