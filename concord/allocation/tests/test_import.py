"""New cases from a placement file are allocated at once by the current rules (in the chunk's transaction), by the
same code as the preview; without rules they wait in the pool."""
from __future__ import annotations

import pytest

from concord.allocation import services
from concord.cases.models import Assignment, Case
from concord.core.models import AuditEvent
from concord.imports import services as imports
from concord.conftest import resident_id
from concord.imports.tests.builders import ID_1, row, rows_matrix, write_csv


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"


HEADERS = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
           "应还日期", "逾期天数", "家庭地址"]


def place(world, tmp_path, rows):
    path = write_csv(tmp_path / "placement.csv", rows_matrix(rows, HEADERS))
    return imports.import_file(world.users["manager"], creditor=world.creditors["fin"], kind="placements",
                               path=path)


def test_imported_cases_are_allocated_at_once_by_the_rules(world, tmp_path):
    services.save_rules(world.users["manager"], [
        {"code": "GD", "provinces": ["广东"], "team": world.teams["B"].pk, "method": "balance"},
        {"code": "REST", "team": world.teams["A"].pk, "method": "round_robin"},
    ])
    batch = place(world, tmp_path, [
        row(借据号="N1", 身份证号=ID_1, 家庭地址="广东省深圳市福田区福华路 1 号"),
        row(借据号="N2", 身份证号=resident_id("510104", "19920303", 444), 姓名="李梅", 手机号="13600001111",
            家庭地址="四川省成都市武侯区"),
    ])
    assert batch.status == "done", batch.failure
    gd = Case.objects.get(accounts__reference="N1")
    sc = Case.objects.get(accounts__reference="N2")
    assert (gd.debtor.province, gd.debtor.city) == ("广东", "深圳")
    assert gd.assigned_team == world.teams["B"] and gd.assigned_collector == world.users["col_b"]
    assert sc.assigned_team == world.teams["A"] and sc.assigned_collector is not None
    assert Assignment.objects.get(case=gd, ended_at__isnull=True).reason == "alloc:v1:GD:new"
    assert AuditEvent.objects.filter(action="allocation.import").count() == 1
    # the preview agrees: the imported cases are where the rules put them (the older cases of the book would move)
    assert not {m.case_id for m in services.plan().moves} & {gd.pk, sc.pk}


def test_without_rules_imported_cases_wait_in_the_pool(world, tmp_path):
    place(world, tmp_path, [row(借据号="N1", 家庭地址="广东省深圳市")])
    case = Case.objects.get(accounts__reference="N1")
    assert case.assigned_team is None and case.assigned_collector is None
