"""The retention job: an import's files go after the pack's ``upload_days``; a person whose cases have all ended has
their personal data purged ``closed_case_days`` after the last one closed — the rows and the audit record of the
purge stay, without the data. Dry runs count and change nothing."""
from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from concord.cases.activities import log_activity
from concord.core import clock
from concord.core.models import AuditEvent
from concord.debtors.models import ContactPoint, Debtor
from concord.debtors.services import PURGED_NAME
from concord.imports import services as imports
from concord.imports.tests.builders import row, rows_matrix, write_csv
from concord.loans import services as loans
from concord.retention.services import run_retention

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def batch(world, tmp_path, settings):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    settings.CONCORD_IMPORTS_INLINE = True
    path = write_csv(tmp_path / "p.csv", rows_matrix([row(), row(**{"借据号": "L2", "合同金额": "x"})]))
    return imports.import_file("tester", creditor=world.creditors["fin"], kind="placements", path=path)


def test_import_files_go_after_the_packs_period_and_the_batch_stays(batch, django_capture_on_commit_callbacks):
    folder = imports.batch_dir(batch)
    assert len(list(folder.iterdir())) == 3
    ends = batch.finished_at + 90 * DAY  # cn_online_lending: 90 days
    assert run_retention(now=ends - DAY)["batches"] == 0
    dry = run_retention(now=ends, dry_run=True)
    assert (dry["batches"], dry["files"]) == (1, 0) and folder.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the batch's row commits
        done = run_retention(now=ends)
    assert (done["batches"], done["files"], done["errors"]) == (1, 3, [])
    assert not folder.exists()
    batch.refresh_from_db()
    assert batch.files_deleted_at == ends and batch.summary["created"] == 1  # the record of the batch stays
    event = AuditEvent.objects.get(action="import.files.delete", object_id=str(batch.pk))
    assert event.changes["files"] == 3
    assert run_retention(now=ends + DAY)["batches"] == 0  # once


def _settle(case):
    account = case.accounts.get()
    loans.record_payment(None, account=account, amount=account.total_balance, channel="alipay",
                         paid_at=clock.now(), external_reference=f"SETTLE-{case.pk}")
    case.refresh_from_db()
    return case


def test_a_closed_case_is_purged_when_its_retention_ends(world):
    case = world.cases["u"]  # 王五: one case, at the bank (cn_bank: 1825 days)
    log_activity(None, case, kind="note", summary="备注", note="本人称住在朝阳区某小区 3 号楼，手机 13700002222")
    case = _settle(case)
    assert case.status == "settled" and case.closed_on == clock.today()
    debtor_id, open_debtor = case.debtor_id, world.cases["a"].debtor_id
    ends = clock.now() + 1825 * DAY
    assert run_retention(now=ends - DAY)["people"] == 0
    assert run_retention(now=ends, dry_run=True)["people"] == 1
    assert Debtor.objects.get(pk=debtor_id).full_name == "王五"
    result = run_retention(now=ends)
    assert (result["people"], result["cases"], result["errors"]) == (1, 1, [])
    assert result["purged"]["contact_points"] == 1 and result["purged"]["notes"] == 1
    purged = Debtor.objects.get(pk=debtor_id)
    assert (purged.full_name, purged.id_last4, purged.birth_date) == (PURGED_NAME, "", None)
    assert purged.purged_at is not None and purged.id_number == f"PURGED-{debtor_id}"
    assert set(ContactPoint.objects.filter(debtor_id=debtor_id).values_list("value", "status")) == {
        ("", "do_not_contact")}
    assert not case.activities.exclude(note="").exists()
    assert case.accounts.get().payments.count() == 1  # the ledger stays
    event = AuditEvent.objects.get(action="debtor.purge", object_id=str(debtor_id))
    assert event.changes["purged"]["contact_points"] == 1
    assert "王五" not in json.dumps(event.changes, ensure_ascii=False)
    assert Debtor.objects.get(pk=open_debtor).full_name == "张三"  # an open case keeps its person
    assert run_retention(now=ends + DAY)["people"] == 0


def test_a_person_with_another_case_still_open_keeps_their_data(world):
    from concord.cases.services import open_case

    case = world.cases["u"]
    other, _ = open_case(None, creditor=world.creditors["fin"], debtor=case.debtor)  # still open
    _settle(case)
    assert run_retention(now=clock.now() + 4000 * DAY)["people"] == 0
    assert other.debtor.full_name == "王五"


def test_the_command_prints_the_counts(batch):
    out = StringIO()
    call_command("retention", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["dry_run"] is True
