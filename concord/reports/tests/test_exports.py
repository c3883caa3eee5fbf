"""Exports of the case list and the activity log: contents, formula neutralising, row-level access, audit."""
from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from concord.cases.activities import log_activity
from concord.cases.models import Case
from concord.core import clock
from concord.core.models import AuditEvent
from concord.reports import exports

pytestmark = pytest.mark.django_db


def read_csv(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_the_case_export_lists_cases_without_contact_data(world, tmp_path):
    path = tmp_path / "cases.csv"
    n = exports.export_cases(world.users["manager"], Case.objects.all(), path, "csv")
    rows = read_csv(path)
    assert n == 3 and len(rows) == 4
    header, first = rows[0], rows[1]
    assert header[:4] == ["案件编号", "委托方", "姓名", "证件后四位"]
    assert first[0] == world.cases["a"].reference and first[2] == "张三" and len(first[3]) == 4
    assert not any("138" in cell for row in rows for cell in row)  # no phone numbers leave
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.changes["rows"], event.changes["format"]) == ("export.cases", 3, "csv")


def test_formula_like_text_is_neutralised_in_csv_and_xlsx(world, tmp_path):
    case = world.cases["a"]
    log_activity(world.users["col_a"], case, kind="note", summary="=HYPERLINK(\"http://x\",\"点我\")",
                 note="@SUM(1+1)")
    log_activity(world.users["col_a"], case, kind="note", summary="-5 元差额", note="+86 号码有误")
    exports.export_activities(world.users["manager"], Case.objects.all(), tmp_path / "a.csv", "csv")
    rows = read_csv(tmp_path / "a.csv")
    cells = [c for row in rows[1:] for c in row]
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in cells and "'@SUM(1+1)" in cells
    assert "'-5 元差额" in cells and "'+86 号码有误" in cells
    exports.export_activities(world.users["manager"], Case.objects.all(), tmp_path / "a.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "a.xlsx").active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_activities_are_filtered_by_period(world, tmp_path):
    import datetime as dt


    case = world.cases["a"]
    old = clock.now() - dt.timedelta(days=10)
    log_activity(world.users["col_a"], case, kind="note", summary="旧的", at=old)
    log_activity(world.users["col_a"], case, kind="note", summary="新的")
    today = clock.today()
    exports.export_activities(None, Case.objects.all(), tmp_path / "a.csv", "csv", start=today - dt.timedelta(days=1))
    summaries = [row[8] for row in read_csv(tmp_path / "a.csv")[1:]]
    assert summaries == ["新的"]


def test_the_page_exports_only_what_the_user_may_see(client, world):
    client.force_login(world.users["viewer"])  # the bank's viewer
    response = client.get(reverse("report-export"), {"what": "cases", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row[0].split("-")[0] for row in rows[1:]} == {"BANK"}
    client.force_login(world.users["col_a"])
    assert client.get(reverse("report-export")).status_code == 403


def test_the_page_shows_the_form_in_english_and_refuses_a_bad_period(client, world):
    client.force_login(world.users["manager"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("report-export"), {"what": "activities", "format": "xlsx", "start": "2026-11-20",
                                                  "end": "2026-11-01"})
    assert page.status_code == 200 and "Export" in page.content.decode()
    assert "id_end" in page.content.decode() and "errorlist" in page.content.decode()


def test_the_command_writes_by_suffix_and_refuses_unknown_creditors(world, tmp_path):
    out = tmp_path / "bank.xlsx"
    call_command("export", "cases", "--out", str(out), "--creditor", "bank", stdout=io.StringIO())
    sheet = load_workbook(out).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][0].startswith("BANK-")
    with pytest.raises(CommandError) as exc:
        call_command("export", "cases", "--out", str(tmp_path / "x.csv"), "--creditor", "nobody")
    assert exc.value.returncode == 2


def test_exports_say_words_not_codes(world, tmp_path, settings):
    """People by name, channels, outcomes and result codes by their labels: no username, no code a person reads."""
    import datetime as dt
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from concord.workbench import calls
    from concord.workbench.tests.conftest import qualify

    settings.CONCORD_CLOCK = dt.datetime.combine(clock.today(), dt.time(10, 0), ZoneInfo("Asia/Shanghai")).isoformat()
    col = world.users["col_a"]
    col.last_name, col.first_name = "赵", "敏"
    col.save()
    qualify(col)
    case = world.cases["a"]
    decision = calls.start_call(col, case, contact_point=case.debtor.contact_points.first())
    calls.log_call(col, case, decision, outcome="conversation", result_codes=["promise"], duration_seconds=30,
                   note="同意还款", promise_amount=Decimal("500"), promise_date=clock.today() + dt.timedelta(days=2))
    exports.export_activities(world.users["manager"], Case.objects.filter(pk=case.pk), tmp_path / "a.csv", "csv")
    call = next(row for row in read_csv(tmp_path / "a.csv")[1:] if row[3] == "电话")
    assert call[4] == "电话" and call[6] == "接通通话" and call[7] == "承诺还款"
    assert call[10] == str(col) and "col_a" not in call
    exports.export_cases(world.users["manager"], Case.objects.filter(pk=case.pk), tmp_path / "c.csv", "csv")
    row = read_csv(tmp_path / "c.csv")[1]
    assert row[1] == case.creditor.name and row[9] == str(col) and "col_a" not in row
