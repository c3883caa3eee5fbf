"""A large file is parsed in a second process while this one writes: the same rows, problems and outcome."""
from __future__ import annotations


import pytest

from concord.conftest import resident_id
from concord.creditors.services import add_creditor
from concord.debtors.models import ContactPoint, Debtor
from concord.imports import pipeline, services
from concord.imports.models import BatchStatus
from concord.imports.readers import FileRejected
from concord.imports.rows import ParsedFile
from concord.loans.models import LoanAccount

from .builders import ID_1, row, rows_matrix, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def plat(db):
    return add_creditor(None, code="plat", name="平台", kind="platform", policy_pack="cn_online_lending")


def mixed_rows(n: int) -> list[dict]:
    """Good rows, a repeated reference, a bad ID, a missing amount and an invalid phone, in the middle of a file
    longer than one batch of the queue."""
    rows = [row(**{"借据号": f"L{i:05d}", "身份证号": resident_id(seq=100 + i % 700)}) for i in range(n)]
    rows[3]["身份证号"] = "110105199001011230"
    rows[600]["合同金额"] = ""
    rows[701]["手机号"] = "12345"
    rows[900] = dict(rows[10], **{"合同金额": "9000"})
    return rows


def run(creditor, path, **options):
    return services.import_file("tester", creditor=creditor, kind="placements", path=path, **options)


def outcome(batch) -> tuple:
    summary = {k: batch.summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "warnings",
                                             "header_row", "encoding", "mapping")}
    return summary, services.read_issues(batch), services.error_bytes(batch)


def test_the_child_process_gives_the_same_result_as_parsing_here(plat, tmp_path, settings):
    path = write_csv(tmp_path / "p.csv", rows_matrix(mixed_rows(1200)), encoding="gb18030")
    settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES = 0
    here = outcome(run(plat, path, dry_run=True))
    settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES = 1
    there = run(plat, path)
    assert there.status == BatchStatus.DONE
    assert outcome(there) == here
    assert here[0]["rejected"] == 2 and here[0]["updated"] == 1 and here[0]["warnings"] >= 1
    assert LoanAccount.objects.count() == 1197  # 1200 rows, 2 rejected, one reference twice (the later row wins)
    assert LoanAccount.objects.get(reference="L00010").contract_amount == 9000
    assert ContactPoint.objects.filter(status="invalid").count() == 1


def test_small_files_are_parsed_here_and_large_ones_in_a_child(plat, tmp_path, settings):
    from concord.imports.mapping import default_profile

    path = write_csv(tmp_path / "p.csv", rows_matrix([row()]))
    settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES = path.stat().st_size + 1
    options = {"today": services.today(), "encoding": None, "profile": default_profile("placements")}
    assert isinstance(pipeline.open_rows("placements", path, **options), ParsedFile)
    settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES = path.stat().st_size
    with pipeline.open_rows("placements", path, **options) as rows:
        assert isinstance(rows, pipeline.ParsingProcess)
        assert rows.header_row == 1 and rows.mapping["身份证号"] == "national_id"
        [only] = list(rows)
    assert only.ok and only.record.national_id == ID_1


def test_a_file_the_child_cannot_read_is_rejected_with_its_reason(plat, tmp_path, settings):
    full = write_xlsx(tmp_path / "full.xlsx", {"S": rows_matrix([row()] * 50)}).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(full[: len(full) // 2])
    settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES = 1
    with pytest.raises(FileRejected) as info:
        pipeline.open_rows("placements", tmp_path / "cut.xlsx", today=services.today(), encoding=None, profile=None)
    assert info.value.code == "unreadable" and str(info.value.reason)
    batch = run(plat, tmp_path / "cut.xlsx")
    assert batch.status == BatchStatus.REJECTED and batch.failure
    assert not Debtor.objects.exists()


def test_closing_before_the_end_stops_the_child(tmp_path, settings):
    path = write_csv(tmp_path / "p.csv", rows_matrix(mixed_rows(3000)))
    settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES = 1
    rows = pipeline.open_rows("placements", path, today=services.today(), encoding=None, profile=None)
    first = next(rows)
    assert first.row_number == 2
    rows.close()
    assert not rows._process.is_alive()
    with pytest.raises(StopIteration):
        next(rows)
