"""Recall files (退案文件): accounts leave the workable book, cases are taken back with their history kept."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concord.cases.models import Assignment, Case, CaseStatus
from concord.core.models import AuditEvent
from concord.loans import services as loans
from concord.loans.models import AccountStatus, LoanAccount

from .kindfiles import command_json, counts, csv_file, days_ago, problems, run, xlsx_file

pytestmark = pytest.mark.django_db
HEADERS = ["借据号", "退案日期", "退案原因"]


def status(reference: str) -> str:
    return LoanAccount.objects.get(reference=reference).status


def case(world, key: str) -> Case:
    return Case.objects.get(pk=world.cases[key].pk)


def second_account(world):
    """Case a gets a second (loan) account, so recalling its card leaves one open."""
    return loans.open_account("tester", case=world.cases["a"], product=world.creditors["bank"].products.get(
        kind="online_loan"), reference="LOAN-0009", contract_amount=Decimal("5000"), annual_rate=Decimal("0.1"),
        method="equal_installment", term_months=6, start_date=dt.date(2026, 2, 1), as_of=dt.date(2026, 11, 28))


def test_a_recalled_account_takes_its_case_back_and_keeps_its_history(world, tmp_path):
    assert case(world, "a").assigned_collector == world.users["col_a"]
    path = csv_file(tmp_path / "r.csv", HEADERS, [{"借据号": "CARD-0001", "退案日期": str(days_ago(1)),
                                                    "退案原因": "委托到期"}])
    batch = run("recalls", world.creditors["bank"], path)
    assert counts(batch) == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0, "rejected": 0, "warnings": 0}
    assert status("CARD-0001") == AccountStatus.RECALLED
    recalled = case(world, "a")
    assert (recalled.status, recalled.closed_on, recalled.assigned_collector, recalled.assigned_team) == (
        CaseStatus.RECALLED, days_ago(1), None, None)
    assert recalled.total_balance == 0
    history = Assignment.objects.get(case=recalled)  # kept, and ended
    assert history.collector == world.users["col_a"] and history.ended_at is not None
    event = AuditEvent.objects.get(action="case.recall_accounts")
    assert event.changes["accounts"] == ["CARD-0001"] and event.changes["reason"] == "委托到期"
    assert event.changes["status"] == ["open", "recalled"]
    assert status("LOAN-0003") == AccountStatus.OPEN and case(world, "u").status == CaseStatus.NEW


def test_a_case_with_an_account_still_open_stays_open(world, tmp_path):
    second_account(world)
    batch = run("recalls", world.creditors["bank"], csv_file(tmp_path / "r.csv", ["借据号"],
                                                             [{"借据号": "CARD-0001"}]))
    assert counts(batch)["updated"] == 1
    still = case(world, "a")
    assert still.status == CaseStatus.OPEN and still.assigned_collector == world.users["col_a"]
    assert still.total_balance == LoanAccount.objects.get(reference="LOAN-0009").total_balance
    run("recalls", world.creditors["bank"], csv_file(tmp_path / "r2.csv", ["借据号"], [{"借据号": "LOAN-0009"}]))
    assert case(world, "a").status == CaseStatus.RECALLED
    assert case(world, "a").closed_on == days_ago(0)


def test_rejections_and_unchanged_rows(world, tmp_path):
    LoanAccount.objects.filter(reference="LOAN-0003").update(status=AccountStatus.SETTLED)
    rows = [{"借据号": "NOPE-1"},                                    # 2 unknown
            {"借据号": "LOAN-0002"},                                 # 3 another creditor's account
            {"借据号": "CARD-0001", "退案日期": str(days_ago(-2))},  # 4 in the future
            {"借据号": "CARD-0001", "退案日期": "2026/13/01"},        # 5 no such date
            {"借据号": "", "退案原因": "到期"},                        # 6 required
            {"借据号": "CARD-0001", "退案原因": "x" * 201},           # 7 too long
            {"借据号": "LOAN-0003"}]                                 # 8 settled: unchanged, warning
    batch = run("recalls", world.creditors["bank"], csv_file(tmp_path / "r.csv", HEADERS, rows))
    assert counts(batch) == {"rows": 7, "created": 0, "updated": 0, "unchanged": 1, "rejected": 6, "warnings": 1}
    assert problems(batch) == [(2, "account_reference", "account_unknown"), (3, "account_reference", "account_unknown"),
                               (4, "recalled_on", "recall_in_future"), (5, "recalled_on", "date_nonexistent"),
                               (6, "account_reference", "required"), (7, "recall_reason", "text_too_long")]
    assert problems(batch, "warning") == [(8, "account_reference", "recall_not_open")]
    assert status("CARD-0001") == AccountStatus.OPEN and status("LOAN-0002") == AccountStatus.OPEN
    assert status("LOAN-0003") == AccountStatus.SETTLED


def test_idempotent_same_file_is_a_repeat_and_same_rows_are_unchanged(world, tmp_path):
    path = csv_file(tmp_path / "r.csv", ["借据号"], [{"借据号": "CARD-0001"}])
    first = run("recalls", world.creditors["bank"], path)
    again = run("recalls", world.creditors["bank"], path)
    assert again.duplicate_of == first and counts(again)["unchanged"] == 1
    other = run("recalls", world.creditors["bank"], csv_file(tmp_path / "r2.csv", ["借据号", "备注"],
                                                             [{"借据号": "CARD-0001", "备注": "再发一次"}]))
    assert other.duplicate_of is None and counts(other)["unchanged"] == 1
    assert AuditEvent.objects.filter(action="case.recall_accounts").count() == 1


def test_a_dry_run_writes_nothing(world, tmp_path):
    batch = run("recalls", world.creditors["bank"], csv_file(tmp_path / "r.csv", ["借据号"],
                                                             [{"借据号": "CARD-0001"}]), dry_run=True)
    assert counts(batch)["updated"] == 1
    assert status("CARD-0001") == AccountStatus.OPEN
    assert case(world, "a").status == CaseStatus.OPEN and case(world, "a").assigned_collector is not None


def test_gbk_csv_english_headers_and_xlsx_json_lines(world, tmp_path):
    path = csv_file(tmp_path / "gbk.csv", ["Loan Number", "Recall Date", "Reason"],
                    [{"Loan Number": "CARD-0001", "Reason": "到期退案"}, {"Loan Number": "X"}], encoding="gbk")
    lines = command_json("recalls", path)
    assert [(line["row"], line["field"]) for line in lines[:-1]] == [(3, "account_reference")]
    assert lines[-1]["summary"]["encoding"] == "gb18030" and status("CARD-0001") == AccountStatus.RECALLED
    path = xlsx_file(tmp_path / "r.xlsx", HEADERS, [{"借据号": "LOAN-0003", "退案日期": days_ago(0)},
                                                     {"借据号": "NOPE"}], title="退案清单")
    lines = command_json("recalls", path)
    assert [(line["row"], line["sheet"]) for line in lines[:-1]] == [(5, "Sheet1")]
    assert status("LOAN-0003") == AccountStatus.RECALLED
