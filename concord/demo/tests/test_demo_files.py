"""The demo's sample files import with every outcome they are meant to show."""
from __future__ import annotations

import pytest

from concord.core import clock
from concord.creditors.services import add_creditor
from concord.demo.files import write_demo_files
from concord.imports import services
from concord.imports.models import UnmatchedPayment

pytestmark = pytest.mark.django_db


def test_the_sample_files_import_in_order(tmp_path, settings):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    creditors = {"jiexin": add_creditor(None, code="jiexin", name="捷信贷", kind="platform",
                                        policy_pack="cn_online_lending"),
                 "hsbank": add_creditor(None, code="hsbank", name="华盛银行", kind="bank", policy_pack="cn_bank")}
    results = {}
    for path, command in write_demo_files(tmp_path / "files"):
        kind, code = command.split()[2], command.split()[-1]
        batch = services.import_file("test", creditor=creditors[code], kind=kind, path=path)
        results[path.name] = batch.summary
    loans = results["jiexin-placements-gbk.csv"]
    assert loans["encoding"] == "gb18030" and loans["created"] > 150 and loans["rejected"] > 0
    cards = results["hsbank-placements.xlsx"]
    assert cards["header_row"] == 2 and cards["created"] > 90
    assert results["jiexin-payments.csv"]["rejected"] == 0
    assert UnmatchedPayment.objects.filter(external_reference="JXPAY99999").exists()
    assert results["jiexin-contacts.csv"]["created"] == 10
    assert results["jiexin-recalls.csv"]["updated"] == 5, results["jiexin-recalls.csv"]


def test_the_demo_collectors_are_qualified_to_call(db):
    from concord.compliance.live import missing_qualifications
    from concord.creditors.services import add_creditor
    from concord.demo.staffing import create_staff
    from concord.staff.roles import Capability, may

    creditors = {"hsbank": add_creditor(None, code="hsbank", name="华盛银行", kind="bank", policy_pack="cn_bank")}
    staff = create_staff(creditors)
    callers = [u for u in staff.users.values() if may(u, Capability.CONTACT_NEEDS_QUALIFICATION)]
    assert callers
    assert all(missing_qualifications(u, clock.today()) == [] for u in callers)


def test_the_demo_creditors_have_sender_details_for_messages_and_letters(db):
    from concord.demo.portfolio import CREDITORS, seed_portfolio
    from concord.outreach.models import SenderProfile

    seed_portfolio(seed=7, debtors=12, engine_days=1)
    profiles = {p.creditor.code: p for p in SenderProfile.objects.select_related("creditor")}
    assert set(profiles) == {spec.code for spec in CREDITORS}
    assert all(p.phone and p.payment_url.endswith("{case_reference}") for p in profiles.values())
