"""Placement files into the database: what each row becomes, repeats, dry runs, error files, the command."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from concord.cases.models import Case, CaseStatus
from concord.conftest import resident_id
from concord.core import clock
from concord.core.audit import verify_chain
from concord.core.models import AuditEvent
from concord.creditors.services import add_creditor
from concord.debtors.models import ContactPoint, Debtor, Employment, RelatedParty
from concord.imports import services
from concord.imports.models import BatchStatus, ImportBatch
from concord.imports.readers import open_table
from concord.loans.models import LoanAccount

from .builders import ID_1, ID_2, row, rows_matrix, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def plat(db):
    return add_creditor(None, code="plat", name="平台", kind="platform", policy_pack="cn_online_lending")


def run(creditor, path, **options):
    return services.import_file("tester", creditor=creditor, kind="placements", path=path, **options)


def counts(batch):
    return {k: batch.summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "warnings")}


def test_a_row_becomes_person_contacts_case_and_account(plat, tmp_path):
    path = write_csv(tmp_path / "p.csv", rows_matrix(
        [row(**{"逾期天数": "45", "剩余本金": "9000", "逾期本金": "1500", "逾期利息": "120.5", "罚息": "30"})],
        headers=["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
                 "逾期天数", "剩余本金", "逾期本金", "逾期利息", "罚息", "家庭住址", "工作单位", "紧急联系人",
                 "紧急联系人电话", "紧急联系人关系", "委案日期", "退案日期"]))
    batch = run(plat, path)
    assert batch.status == BatchStatus.DONE
    assert counts(batch) == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 0}
    debtor = Debtor.objects.get()
    assert (debtor.full_name, debtor.id_number, debtor.birth_date, debtor.gender) == (
        "张三", ID_1, dt.date(1990, 1, 1), "M")
    mobile = ContactPoint.objects.get(debtor=debtor, kind="mobile")
    assert (mobile.value, mobile.status, mobile.is_primary, mobile.source) == ("+8613812348000", "valid", True,
                                                                                "creditor")
    assert mobile.source_detail == f"plat #{batch.pk}"
    party = RelatedParty.objects.get(debtor=debtor)
    assert (party.role, party.phone) == ("emergency_contact", "+8613912345678")
    account = LoanAccount.objects.get()
    today = clock.today()
    assert (account.reference, account.contract_amount, account.annual_rate, account.term_months, account.method) == (
        "L0001", Decimal("12000.00"), Decimal("0.16500"), 12, "equal_installment")
    assert (account.principal_balance, account.interest_balance, account.penalty_balance) == (
        Decimal("9000.00"), Decimal("120.50"), Decimal("30.00"))
    assert (account.dpd, account.bucket) == (45, "M2")
    item = account.instalments.get()
    assert (item.due_date, item.principal_due, item.interest_due) == (today - dt.timedelta(days=45),
                                                                      Decimal("1500.00"), Decimal("120.50"))
    case = account.case
    assert (case.creditor, case.debtor, case.status, case.max_dpd, case.bucket) == (plat, debtor, "new", 45, "M2")
    assert case.total_balance == Decimal("9150.50")
    assert (case.placement.placed_on, case.placement.return_on) == (today, today + dt.timedelta(days=90))


def test_optional_columns_fill_the_borrower_file(plat, tmp_path):
    headers = ["姓名", "身份证号", "借据号", "产品", "合同金额", "家庭住址", "工作单位", "紧急联系人", "紧急联系人电话",
               "紧急联系人关系", "委案日期", "退案日期", "应还日期"]
    values = row(**{"家庭住址": "北京市朝阳区某路 1 号", "工作单位": "某某科技有限公司", "紧急联系人": "王芳",
                    "紧急联系人关系": "配偶", "委案日期": "2026-11-01", "退案日期": "2027-01-31",
                    "应还日期": "2026-10-20"})
    batch = run(plat, write_csv(tmp_path / "p.csv", rows_matrix([values], headers=headers)))
    assert batch.summary["created"] == 1
    debtor = Debtor.objects.get()
    address = ContactPoint.objects.get(debtor=debtor, kind="address")
    assert (address.value, address.address_type) == ("北京市朝阳区某路 1 号", "home")
    assert Employment.objects.get(debtor=debtor).employer_name == "某某科技有限公司"
    party = RelatedParty.objects.get(debtor=debtor)
    assert (party.full_name, party.role, party.relation) == ("王芳", "spouse", "配偶")
    case = Case.objects.get()
    assert (case.placement.placed_on, case.placement.return_on) == (dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    account = LoanAccount.objects.get()
    assert account.dpd == (clock.today() - dt.date(2026, 10, 20)).days
    assert account.principal_balance == Decimal("12000.00")  # neither remaining nor overdue principal given


def test_the_same_file_twice_changes_nothing(plat, tmp_path):
    path = write_csv(tmp_path / "p.csv", rows_matrix([row(), row(**{"借据号": "L0002", "身份证号": ID_2})]))
    first = run(plat, path)
    events = AuditEvent.objects.count()
    second = run(plat, path)
    assert second.duplicate_of == first
    assert counts(second) == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "warnings": 0}
    assert LoanAccount.objects.count() == 2 and Debtor.objects.count() == 2 and ContactPoint.objects.count() == 2
    assert AuditEvent.objects.count() == events + 2  # the upload and the repeat, nothing else


def test_the_same_rows_in_another_file_are_unchanged(plat, tmp_path):
    rows = [row(), row(**{"借据号": "L0002", "身份证号": ID_2})]
    run(plat, write_csv(tmp_path / "a.csv", rows_matrix(rows)))
    again = run(plat, write_csv(tmp_path / "b.csv", rows_matrix(rows), delimiter=";"))
    assert again.duplicate_of is None
    assert counts(again)["unchanged"] == 2 and counts(again)["created"] == counts(again)["updated"] == 0
    changed = run(plat, write_csv(tmp_path / "c.csv", rows_matrix([row(**{"逾期天数": "60"}), rows[1]])))
    assert (changed.summary["updated"], changed.summary["unchanged"]) == (1, 1)
    assert LoanAccount.objects.get(reference="L0001").dpd == 60


def test_a_repeated_reference_updates_the_account_the_later_row_wins(plat, tmp_path):
    path = write_csv(tmp_path / "p.csv", rows_matrix([row(), row(**{"合同金额": "15000", "逾期天数": "5"})]))
    batch = run(plat, path)
    assert (batch.summary["created"], batch.summary["updated"]) == (1, 1)
    account = LoanAccount.objects.get()
    assert (account.contract_amount, account.dpd) == (Decimal("15000.00"), 5)


def test_fifteen_and_eighteen_digit_ids_are_one_person_across_creditors(plat, tmp_path):
    bank = add_creditor(None, code="bank2", name="银行", kind="bank", policy_pack="cn_bank")
    id15 = "110105900101123"  # the 15-digit form of ID_1
    assert ID_1 == "11010519900101123" + ID_1[-1]
    run(plat, write_csv(tmp_path / "a.csv", rows_matrix([row()])))
    other = run(bank, write_csv(tmp_path / "b.csv", rows_matrix([row(**{
        "身份证号": id15, "借据号": "C-1", "产品": "信用卡", "手机号": "13512345678"})])))
    assert other.summary["created"] == 1
    debtor = Debtor.objects.get()
    assert debtor.cases.count() == 2
    sources = sorted(ContactPoint.objects.filter(debtor=debtor).values_list("value", "source_detail"))
    assert sources == [("+8613512345678", f"bank2 #{other.pk}"), ("+8613812348000", f"plat #{other.pk - 1}")]


def test_rows_the_database_refuses_are_rejected_with_the_reason(plat, tmp_path):
    nocard = add_creditor(None, code="loans", name="只做网贷", kind="platform", policy_pack="cn_online_lending")
    nocard.products.filter(kind="credit_card").delete()
    run(plat, write_csv(tmp_path / "a.csv", rows_matrix([row()])))
    path = write_csv(tmp_path / "b.csv", rows_matrix([row(**{"借据号": "L0001", "身份证号": ID_2})]))
    batch = run(plat, path)
    issue, = services.read_issues(batch, severity="error")
    assert (issue["row"], issue["field"], issue["code"]) == (2, "account_reference", "account_other_debtor")
    assert batch.summary["rejected"] == 1
    batch = run(nocard, write_csv(tmp_path / "c.csv", rows_matrix([row(**{"产品": "信用卡"}), row(
        **{"借据号": "L9"})])))
    issue, = services.read_issues(batch, severity="error")
    assert (issue["row"], issue["field"], issue["code"]) == (2, "product", "product_not_offered")
    assert "Credit card" in issue["reason_en"] or "credit card" in issue["reason_en"].lower()
    assert (batch.summary["created"], batch.summary["rejected"]) == (1, 1)


def test_an_invalid_phone_is_kept_as_invalid_with_a_warning(plat, tmp_path):
    batch = run(plat, write_csv(tmp_path / "p.csv", rows_matrix([row(**{"手机号": "12345"})])))
    assert (batch.summary["created"], batch.summary["warnings"]) == (1, 1)
    point = ContactPoint.objects.get(kind="mobile")
    assert (point.value, point.status, point.is_primary) == ("12345", "invalid", False)
    warning, = services.read_issues(batch, severity="warning")
    assert (warning["row"], warning["field"]) == (2, "mobile")


def test_a_different_name_for_a_known_id_is_a_warning_and_keeps_the_name(plat, tmp_path):
    run(plat, write_csv(tmp_path / "a.csv", rows_matrix([row()])))
    batch = run(plat, write_csv(tmp_path / "b.csv", rows_matrix([row(**{"姓名": "张叁", "借据号": "L2"})])))
    assert batch.summary["created"] == 1
    assert services.read_issues(batch, severity="warning")[0]["code"] == "name_mismatch"
    assert Debtor.objects.get().full_name == "张三"


def test_a_dry_run_writes_nothing_but_tells_what_would_happen(plat, tmp_path):
    run(plat, write_csv(tmp_path / "a.csv", rows_matrix([row()])))
    before = (Debtor.objects.count(), LoanAccount.objects.count(), AuditEvent.objects.count())
    path = write_csv(tmp_path / "b.csv", rows_matrix([row(**{"逾期天数": "90"}), row(**{
        "借据号": "L0002", "身份证号": ID_2}), row(**{"身份证号": "1"})]))
    batch = run(plat, path, dry_run=True)
    assert counts(batch) == {"rows": 3, "created": 1, "updated": 1, "unchanged": 0, "rejected": 1, "warnings": 0}
    assert (Debtor.objects.count(), LoanAccount.objects.count()) == before[:2]
    assert LoanAccount.objects.get().dpd == 30
    assert AuditEvent.objects.count() == before[2] + 3  # the upload, the start and the finish of the dry run
    real = run(plat, path)
    assert real.duplicate_of is None and counts(real) == counts(batch)


def test_the_error_file_holds_the_rejected_rows_and_lands_once_fixed(plat, tmp_path):
    path = write_csv(tmp_path / "p.csv", rows_matrix([row(), row(**{"借据号": "L2", "身份证号": "110105199001011230"}),
                                                     row(**{"借据号": "L3", "合同金额": "-5"})]), encoding="gb18030")
    batch = run(plat, path)
    assert batch.summary["rejected"] == 2
    errors = tmp_path / "errors.csv"
    errors.write_bytes(services.error_bytes(batch))
    table = open_table(errors)
    assert table.encoding == "gb18030"
    rows = list(table.rows)
    assert [r.cells["借据号"] for r in rows] == ["L2", "L3"]
    assert "校验位" in rows[0].cells["错误原因 / Reason"]
    fixed = errors.read_bytes().decode("gb18030").replace("110105199001011230", ID_2).replace(",-5,", ",5000,")
    (tmp_path / "fixed.csv").write_bytes(fixed.encode("gb18030"))
    again = run(plat, tmp_path / "fixed.csv")
    assert (again.summary["created"], again.summary["rejected"]) == (2, 0)


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_them(plat, tmp_path):
    matrix = [["2026年11月委案清单"], []] + rows_matrix([row(), row(**{"借据号": "L2", "身份证号": "abc"})])
    path = write_xlsx(tmp_path / "p.xlsx", {"说明": [["本文件由委托方导出"]], "明细": matrix})
    out = StringIO()
    call_command("import", "placements", str(path), "--creditor", "plat", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    rejected, summary = lines[0], lines[-1]["summary"]
    assert len(lines) == 2
    assert (rejected["row"], rejected["sheet"], rejected["field"]) == (5, "明细", "national_id")
    assert rejected["reason"] and rejected["reason_en"]
    assert (summary["created"], summary["rejected"], summary["sheet"], summary["header_row"]) == (1, 1, "明细", 3)
    assert services.error_file(ImportBatch.objects.get(pk=summary["batch"])).suffix == ".xlsx"


def test_the_command_exits_2_for_a_file_it_cannot_read(plat, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("just,some,words\n1,2,3\n")
    with pytest.raises(CommandError) as exc:
        call_command("import", "placements", str(bad), "--creditor", "plat")
    assert exc.value.returncode == 2
    assert ImportBatch.objects.get().status == BatchStatus.REJECTED
    with pytest.raises(CommandError) as exc:
        call_command("import", "placements", str(bad), "--creditor", "nobody")
    assert exc.value.returncode == 2 and "nobody" in str(exc.value)


def test_each_chunk_is_one_audit_event_and_the_chain_holds(plat, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    rows = [row(**{"借据号": f"L{i}", "身份证号": resident_id(seq=100 + i)}) for i in range(5)]
    run(plat, write_csv(tmp_path / "p.csv", rows_matrix(rows)))
    chunks = AuditEvent.objects.filter(action="import.placements.rows").order_by("id")
    assert [e.changes["rows"] for e in chunks] == [[2, 3], [4, 5], [6, 6]]
    assert chunks[0].changes["references"] == {"created": ["L0", "L1"]}
    assert verify_chain().ok


def test_a_recalled_case_placed_again_is_reopened(plat, tmp_path):
    from concord.cases.services import recall_placement

    run(plat, write_csv(tmp_path / "a.csv", rows_matrix([row()])))
    case = Case.objects.get()
    recall_placement(None, case.placement, reason="到期")
    case.refresh_from_db()
    assert case.status == CaseStatus.RECALLED
    batch = run(plat, write_csv(tmp_path / "b.csv", rows_matrix([row(**{"委案日期": "2026-11-20"})],
                                                                headers=[*rows_matrix([row()])[0], "委案日期"])))
    assert batch.summary["updated"] == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.placement.placed_on == dt.date(2026, 11, 20)
    assert LoanAccount.objects.get().status == "open"


@pytest.mark.postgres_only
def test_the_tables_written_are_analyzed_as_they_grow(plat, tmp_path, monkeypatch):
    """A first large import must not be planned on empty-table guesses: after each chunk the tables that have
    doubled since their last ANALYZE are analyzed — here every written table, as the threshold is 0."""
    from django.db import connection

    from concord.core import dbstats

    monkeypatch.setattr(dbstats, "MIN_PAGES", 0)
    with connection.cursor() as cursor:
        # ANALYZE's figures outlive a rolled-back test: start these (empty) tables afresh, statistics included
        cursor.execute("TRUNCATE debtors_debtor, loans_loanaccount, cases_case CASCADE")
    path = write_csv(tmp_path / "p.csv", rows_matrix([row()]))
    assert run(plat, path).summary["created"] == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN "
                       "('debtors_debtor', 'loans_loanaccount', 'cases_case')")
        assert dict(cursor.fetchall()) == {"debtors_debtor": 1, "loans_loanaccount": 1, "cases_case": 1}
