"""Payment files (还款文件) into the ledger: repayments, replays, reversals, the unmatched queue."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.cases.models import CaseStatus
from concord.core import clock
from concord.core.models import AuditEvent
from concord.imports import services
from concord.imports.models import ImportBatch, UnmatchedPayment, UnmatchedStatus
from concord.imports.payments import (
    dismiss_unmatched_payment,
    match_unmatched_payment,
    parse_file,
)
from concord.imports.readers import FileRejected
from concord.loans import services as loans
from concord.loans.models import AccountStatus, LoanAccount, Payment

from .kindfiles import (
    command_json,
    counts,
    csv_file,
    days_ago,
    problems,
    run,
    xlsx_file,
)

pytestmark = pytest.mark.django_db
CN = timezone.get_fixed_timezone(8 * 60)
HEADERS = ["借据号", "还款金额", "还款日期", "交易流水号", "还款渠道", "交易类型", "原交易流水号", "姓名", "冲正原因"]


def pay(**values) -> dict:
    row = {"借据号": "LOAN-0003", "还款金额": "500.00", "还款日期": f"{days_ago(2)} 10:30:00", "交易流水号": "T1",
           "还款渠道": "支付宝"}
    row.update(values)
    return row


def account(reference="LOAN-0003") -> LoanAccount:
    return LoanAccount.objects.get(reference=reference)


def test_a_repayment_is_allocated_by_the_waterfall(world, tmp_path):
    before = account()
    path = csv_file(tmp_path / "pay.csv", HEADERS, [pay()])
    batch = run("payments", world.creditors["bank"], path)
    assert counts(batch) == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 0}
    payment = Payment.objects.get(external_reference="T1")
    assert (payment.account_id, payment.amount, payment.channel) == (before.pk, Decimal("500.00"), "alipay")
    assert payment.paid_at == dt.datetime.combine(days_ago(2), dt.time(10, 30), tzinfo=CN)
    after = account()
    assert after.total_balance == before.total_balance - Decimal("500.00")
    parts = {k: Decimal(x) for k, x in payment.allocation["parts"].items()}
    assert sum(parts.values()) == Decimal("500.00")
    # the default waterfall pays fees, penalty and interest before principal
    assert parts["principal"] == max(Decimal("0"), Decimal("500.00") - before.fees_balance - before.penalty_balance
                                     - before.interest_balance)
    assert AuditEvent.objects.filter(action="payment.record").count() == 1
    assert AuditEvent.objects.filter(action="import.payments.rows").count() == 1


def test_english_headers_a_date_without_time_and_the_default_channel(world, tmp_path):
    path = csv_file(tmp_path / "en.csv", ["Loan Number", "Amount", "Payment Date", "Transaction Reference"],
                    [{"Loan Number": "LOAN-0003", "Amount": "¥1,000.00", "Payment Date": days_ago(3).strftime("%Y/%m/%d"),
                      "Transaction Reference": "EN-1"}])
    batch = run("payments", world.creditors["bank"], path)
    assert counts(batch)["created"] == 1
    payment = Payment.objects.get(external_reference="EN-1")
    assert payment.channel == "bank_transfer" and payment.amount == Decimal("1000.00")
    assert payment.paid_at == dt.datetime.combine(days_ago(3), dt.time(0, 0), tzinfo=CN)


def test_paying_off_the_account_closes_the_case(world, tmp_path):
    owed = account().total_balance
    path = csv_file(tmp_path / "off.csv", HEADERS, [pay(还款金额=str(owed), 交易流水号="OFF-1")])
    batch = run("payments", world.creditors["bank"], path)
    assert counts(batch)["created"] == 1
    assert account().status == AccountStatus.SETTLED
    case = world.cases["u"]
    case.refresh_from_db()
    assert case.status == CaseStatus.SETTLED and case.total_balance == 0


def test_an_unknown_account_waits_in_the_unmatched_queue(world, tmp_path):
    path = csv_file(tmp_path / "u.csv", HEADERS, [pay(借据号="NOPE-9", 交易流水号="U1", 姓名="赵六")])
    batch = run("payments", world.creditors["bank"], path)
    assert counts(batch) == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 1}
    assert problems(batch, "warning") == [(2, "account_reference", "unmatched")]
    assert services.read_issues(batch, severity="warning")[0]["reason"].startswith("借据号：待人工匹配")
    waiting = UnmatchedPayment.objects.get()
    assert (waiting.status, waiting.account_reference, waiting.external_reference, waiting.amount,
            waiting.payer_name, waiting.batch_id, waiting.row_number) == (
        UnmatchedStatus.WAITING, "NOPE-9", "U1", Decimal("500.00"), "赵六", batch.pk, 2)
    assert Payment.objects.count() == 0
    again = run("payments", world.creditors["bank"], csv_file(tmp_path / "u2.csv", HEADERS + ["备注"],
                                                               [pay(借据号="NOPE-9", 交易流水号="U1", 备注="x")]))
    assert counts(again)["unchanged"] == 1 and UnmatchedPayment.objects.count() == 1


def test_matching_an_unmatched_payment_records_it_on_the_chosen_account(world, tmp_path):
    run("payments", world.creditors["bank"], csv_file(tmp_path / "u.csv", HEADERS,
                                                      [pay(借据号="NOPE-9", 交易流水号="U1")]))
    waiting = UnmatchedPayment.objects.get()
    before = account().total_balance
    matched = match_unmatched_payment(world.users["manager"], waiting, account(), note="客户来电确认")
    assert matched.status == UnmatchedStatus.MATCHED and matched.resolved_by == world.users["manager"]
    assert matched.payment.account == account() and matched.payment.external_reference == "U1"
    assert account().total_balance == before - Decimal("500.00")
    assert AuditEvent.objects.filter(action="import.unmatched.matched").count() == 1
    with pytest.raises(ValidationError):  # handled already
        match_unmatched_payment(world.users["manager"], waiting, account())
    # the same file again: the payment is known now, nothing changes
    again = run("payments", world.creditors["bank"], csv_file(tmp_path / "u2.csv", HEADERS + ["备注"],
                                                               [pay(借据号="NOPE-9", 交易流水号="U1", 备注="再次")]))
    assert counts(again)["unchanged"] == 1 and Payment.objects.count() == 1


def test_matching_refuses_another_creditors_account_and_a_recalled_one_without_writing(world, tmp_path):
    run("payments", world.creditors["bank"], csv_file(tmp_path / "u.csv", HEADERS,
                                                      [pay(借据号="NOPE-9", 交易流水号="U1")]))
    waiting = UnmatchedPayment.objects.get()
    with pytest.raises(ValidationError) as info:
        match_unmatched_payment("tester", waiting, account("LOAN-0002"))
    assert "account" in info.value.message_dict
    LoanAccount.objects.filter(reference="LOAN-0003").update(status=AccountStatus.RECALLED)
    with pytest.raises(ValidationError):
        match_unmatched_payment("tester", waiting, account())
    waiting.refresh_from_db()
    assert waiting.status == UnmatchedStatus.WAITING and Payment.objects.count() == 0


def test_dismissing_an_unmatched_payment_needs_a_reason(world, tmp_path):
    run("payments", world.creditors["bank"], csv_file(tmp_path / "u.csv", HEADERS,
                                                      [pay(借据号="NOPE-9", 交易流水号="U1")]))
    waiting = UnmatchedPayment.objects.get()
    with pytest.raises(ValidationError):
        dismiss_unmatched_payment("tester", waiting, note=" ")
    dismissed = dismiss_unmatched_payment("tester", waiting, note="非本委托方客户")
    assert dismissed.status == UnmatchedStatus.DISMISSED and dismissed.note == "非本委托方客户"
    with pytest.raises(ValidationError):
        match_unmatched_payment("tester", waiting, account())


def test_a_waiting_payment_is_matched_when_a_later_file_finds_its_account(world, tmp_path):
    run("payments", world.creditors["bank"], csv_file(tmp_path / "u.csv", HEADERS,
                                                      [pay(借据号="LOAN-0003X", 交易流水号="U1")]))
    LoanAccount.objects.filter(reference="LOAN-0003").update(reference="LOAN-0003X")  # the placement arrives
    batch = run("payments", world.creditors["bank"], csv_file(tmp_path / "u2.csv", HEADERS + ["备注"],
                                                               [pay(借据号="LOAN-0003X", 交易流水号="U1", 备注="x")]))
    assert counts(batch)["created"] == 1
    waiting = UnmatchedPayment.objects.get()
    assert waiting.status == UnmatchedStatus.MATCHED and waiting.payment == Payment.objects.get()


def test_a_reversal_undoes_the_payment_and_reversing_twice_changes_nothing(world, tmp_path):
    before = account().total_balance
    run("payments", world.creditors["bank"], csv_file(tmp_path / "p.csv", HEADERS, [pay()]))
    reversal = pay(交易流水号="R1", 交易类型="退票", 原交易流水号="T1", 冲正原因="余额不足")
    batch = run("payments", world.creditors["bank"], csv_file(tmp_path / "r.csv", HEADERS, [reversal]))
    assert counts(batch) == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0, "rejected": 0, "warnings": 0}
    payment = Payment.objects.get()
    assert payment.is_reversed and payment.reversal_reason.startswith("余额不足") and "R1" in payment.reversal_reason
    assert account().total_balance == before
    again = run("payments", world.creditors["bank"], csv_file(tmp_path / "r2.csv", HEADERS + ["备注"],
                                                               [dict(reversal, 备注="重发")]))
    assert counts(again)["unchanged"] == 1 and account().total_balance == before


def test_a_payment_and_its_reversal_in_one_file_land_in_order(world, tmp_path):
    before = account().total_balance
    path = csv_file(tmp_path / "both.csv", HEADERS, [pay(), pay(交易流水号="T1", 交易类型="冲正")])
    batch = run("payments", world.creditors["bank"], path)
    assert counts(batch)["created"] == 1 and counts(batch)["updated"] == 1
    assert Payment.objects.get().is_reversed and account().total_balance == before


def test_a_reversal_of_a_waiting_unmatched_payment_dismisses_it(world, tmp_path):
    path = csv_file(tmp_path / "u.csv", HEADERS, [pay(借据号="NOPE-9", 交易流水号="U1"),
                                                   pay(借据号="NOPE-9", 交易流水号="U1", 交易类型="冲正")])
    batch = run("payments", world.creditors["bank"], path)
    assert (counts(batch)["created"], counts(batch)["updated"]) == (1, 1)
    assert UnmatchedPayment.objects.get().status == UnmatchedStatus.DISMISSED


def test_every_rejection_names_the_field(world, tmp_path):
    loans.record_payment("tester", account=account(), amount=Decimal("100"), channel="cash",
                         paid_at=dt.datetime.combine(days_ago(5), dt.time(9), tzinfo=CN), external_reference="OLD-1")
    rows = [
        pay(还款金额="0", 交易流水号="A"),                                          # 2
        pay(还款金额="", 交易流水号="B"),                                           # 3
        pay(还款金额="-5", 交易流水号="C"),                                         # 4
        pay(还款日期="", 交易流水号="D"),                                           # 5
        pay(还款日期=str(days_ago(-3)), 交易流水号="E"),                            # 6
        pay(还款日期="2026-02-30", 交易流水号="F"),                                 # 7
        pay(交易流水号=""),                                                         # 8
        pay(借据号="", 交易流水号="G"),                                             # 9
        pay(还款渠道="比特币", 交易流水号="H"),                                     # 10
        pay(交易类型="赠送", 交易流水号="I"),                                       # 11
        pay(交易流水号="OLD-1", 还款金额="100", 还款渠道="现金"),                   # 12 differs: time
        pay(交易流水号="J", 交易类型="冲正", 原交易流水号="NEVER"),                  # 13
        pay(交易流水号="K", 交易类型="冲正", 原交易流水号="OLD-1", 还款金额="99"),   # 14
        pay(借据号="CARD-0001", 交易流水号="L", 交易类型="冲正", 原交易流水号="OLD-1", 还款金额="100"),  # 15
        pay(还款日期="2025-06-01", 交易流水号="M"),                                 # 16 before the loan started
        pay(交易流水号="1.23457E+19"),                                              # 17
    ]
    batch = run("payments", world.creditors["bank"], csv_file(tmp_path / "bad.csv", HEADERS, rows))
    assert counts(batch)["rejected"] == len(rows) and counts(batch)["created"] == 0
    assert problems(batch) == [
        (2, "amount", "amount_zero"), (3, "amount", "required"), (4, "amount", "amount_negative"),
        (5, "paid_at", "required"), (6, "paid_at", "paid_in_future"), (7, "paid_at", "date_nonexistent"),
        (8, "external_reference", "required"), (9, "account_reference", "required"),
        (10, "channel", "unknown_channel"), (11, "transaction_type", "unknown_transaction_type"),
        (12, "external_reference", "reference_reused"), (13, "original_reference", "reversal_unknown_payment"),
        (14, "amount", "reversal_amount_differs"), (15, "account_reference", "reversal_other_account"),
        (16, "paid_at", "refused_paid_at"), (17, "external_reference", "identifier_lost_digits"),
    ]
    assert Payment.objects.count() == 1 and not Payment.objects.get().is_reversed
    reasons = {i["row"]: i["reason"] for i in services.read_issues(batch)}
    assert "还款时间" in reasons[12] and "OLD-1" in reasons[12]
    assert reasons[13].startswith("原交易流水号：")


def test_a_replay_with_a_different_amount_is_rejected_and_the_same_is_unchanged(world, tmp_path):
    run("payments", world.creditors["bank"], csv_file(tmp_path / "a.csv", HEADERS, [pay()]))
    batch = run("payments", world.creditors["bank"], csv_file(tmp_path / "b.csv", HEADERS + ["备注"],
                                                               [pay(备注="1"), pay(还款金额="501", 备注="2")]))
    assert (counts(batch)["unchanged"], counts(batch)["rejected"]) == (1, 1)
    assert problems(batch) == [(3, "external_reference", "reference_reused")]
    assert Payment.objects.count() == 1


def test_a_recalled_account_refuses_payments(world, tmp_path):
    LoanAccount.objects.filter(reference="LOAN-0003").update(status=AccountStatus.RECALLED)
    batch = run("payments", world.creditors["bank"], csv_file(tmp_path / "a.csv", HEADERS, [pay()]))
    assert problems(batch) == [(2, "account_reference", "refused_account")]


def test_the_same_file_twice_is_a_repeat(world, tmp_path):
    path = csv_file(tmp_path / "p.csv", HEADERS, [pay(), pay(借据号="NOPE", 交易流水号="U9")])
    first = run("payments", world.creditors["bank"], path)
    second = run("payments", world.creditors["bank"], path)
    assert second.duplicate_of == first
    assert counts(second)["created"] == 0 and counts(second)["unchanged"] == 2
    assert Payment.objects.count() == 1 and UnmatchedPayment.objects.count() == 1


def test_a_dry_run_writes_nothing(world, tmp_path):
    before = account().total_balance
    path = csv_file(tmp_path / "p.csv", HEADERS, [pay(), pay(借据号="NOPE", 交易流水号="U9"),
                                                   pay(交易流水号="T1", 交易类型="冲正")])
    batch = run("payments", world.creditors["bank"], path, dry_run=True)
    assert (counts(batch)["created"], counts(batch)["updated"]) == (2, 1)
    assert Payment.objects.count() == 0 and UnmatchedPayment.objects.count() == 0
    assert account().total_balance == before
    real = run("payments", world.creditors["bank"], path)  # a dry run is no reason to skip the real one
    assert real.duplicate_of is None and counts(real)["created"] == 2


def test_gbk_csv_and_the_command_json_lines(world, tmp_path):
    path = csv_file(tmp_path / "gbk.csv", HEADERS, [pay(), pay(还款金额="abc", 交易流水号="T2")], encoding="gbk")
    lines = command_json("payments", path)
    assert [line["row"] for line in lines[:-1]] == [3]
    assert lines[0]["field"] == "amount" and lines[0]["reason"].startswith("还款金额：")
    summary = lines[-1]["summary"]
    assert (summary["encoding"], summary["created"], summary["rejected"]) == ("gb18030", 1, 1)


def test_xlsx_with_a_title_row_datetime_cells_and_numbers(world, tmp_path):
    paid = dt.datetime.combine(days_ago(4), dt.time(16, 5))
    rows = [pay(还款金额=800, 还款日期=paid, 交易流水号="X1"), pay(还款金额="x", 交易流水号="X2")]
    path = xlsx_file(tmp_path / "p.xlsx", HEADERS, rows, title="某某银行 还款明细")
    lines = command_json("payments", path)
    assert [(line["row"], line["sheet"], line["field"]) for line in lines[:-1]] == [(5, "Sheet1", "amount")]
    payment = Payment.objects.get()
    assert payment.amount == Decimal("800.00") and payment.paid_at == paid.replace(tzinfo=CN)
    assert lines[-1]["summary"]["header_row"] == 3


def test_a_placement_file_is_not_a_payment_file(world, tmp_path):
    from .builders import HEADERS as PLACEMENT_HEADERS
    from .builders import row, rows_matrix, write_csv

    path = write_csv(tmp_path / "p.csv", rows_matrix([row()], headers=PLACEMENT_HEADERS))
    with pytest.raises(FileRejected) as info:
        parse_file(path, today=clock.today())
    assert info.value.code == "missing_columns"
    assert "还款金额" in str(info.value) and "交易流水号" in str(info.value)
    batch = run("payments", world.creditors["bank"], path)
    assert batch.status == "rejected" and ImportBatch.objects.count() == 1
