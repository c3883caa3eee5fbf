"""No audit event carries an ID number or a phone number in clear: every kind of import (with valid rows, rows
rejected, invalid phone numbers kept as warnings, unknown people), a payment, a call and a message are run, and
every event written is scanned for every ID number and phone number the files and the database hold (the
national number, E.164, and the 15-digit form an ID may have had)."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from concord.conftest import resident_id
from concord.core.models import AuditEvent
from concord.imports.tests.builders import HEADERS as PLACEMENT_HEADERS
from concord.imports.tests.builders import row
from concord.imports.tests.kindfiles import csv_file, days_ago, run

from . import writer_tracking as tracking

pytestmark = pytest.mark.django_db

NEW_ID = resident_id("110105", "19920202", 456)
BAD_ROW_ID = resident_id("110105", "19930303", 567)
UNKNOWN_ID = resident_id("110105", "19940404", 678)
PHONES = ["13511112222", "13622223333", "13733334444", "13844445555", "13955556666", "15066667777", "18877778888"]
SHORT_PHONES = ["1234567", "02161234"]  # invalid numbers kept with a warning
CONTACT_HEADERS = ["身份证号", "借据号", "姓名", "联系方式类型", "联系方式", "地址类型", "关系", "联系人姓名"]
PAYMENT_HEADERS = ["借据号", "还款金额", "还款日期", "交易流水号", "还款渠道", "姓名"]
RECALL_HEADERS = ["借据号", "退案日期", "退案原因"]


@pytest.fixture
def imported(world, tmp_path, settings):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    settings.CONCORD_IMPORTS_INLINE = True
    settings.DATA_DIR = tmp_path
    settings.CONCORD_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.CONCORD_SMS_ADAPTER = "sink"
    bank, fin = world.creditors["bank"], world.creditors["fin"]
    run("placements", fin, csv_file(tmp_path / "p.csv", PLACEMENT_HEADERS, [
        row(**{"身份证号": NEW_ID, "手机号": PHONES[0], "借据号": "NEW-1", "紧急联系人电话": PHONES[1]}),
        row(**{"身份证号": NEW_ID, "手机号": SHORT_PHONES[0], "借据号": "NEW-2"}),  # invalid phone: a warning
        row(**{"身份证号": BAD_ROW_ID, "手机号": PHONES[2], "借据号": "NEW-3", "合同金额": "x"}),  # rejected
    ]))
    run("contacts", bank, csv_file(tmp_path / "c.csv", CONTACT_HEADERS, [
        {"身份证号": resident_id(seq=111), "联系方式": PHONES[3]},
        {"借据号": "LOAN-0003", "联系方式": SHORT_PHONES[1]},
        {"身份证号": UNKNOWN_ID, "联系方式": PHONES[4]},  # rejected: not this creditor's person
        {"借据号": "CARD-0001", "联系方式": PHONES[5], "关系": "配偶", "联系人姓名": "赵六"},
        {"借据号": "CARD-0001", "联系方式": "zhang.san@example.cn", "联系方式类型": "邮箱"},
    ]))
    run("payments", bank, csv_file(tmp_path / "pay.csv", PAYMENT_HEADERS, [
        {"借据号": "LOAN-0003", "还款金额": "500.00", "还款日期": f"{days_ago(2)} 10:30:00", "交易流水号": "T1",
         "还款渠道": "支付宝", "姓名": "王五"},
        {"借据号": "NOPE-9", "还款金额": "50.00", "还款日期": f"{days_ago(2)} 11:00:00", "交易流水号": "T2",
         "还款渠道": "支付宝", "姓名": "钱七"},
    ]))
    run("recalls", bank, csv_file(tmp_path / "r.csv", RECALL_HEADERS, [
        {"借据号": "LOAN-0003", "退案日期": str(days_ago(1)), "退案原因": "委托到期"},
        {"借据号": PHONES[6], "退案日期": str(days_ago(1)), "退案原因": "委托到期"},  # no such account
    ]))
    return world


def _work_the_case(world):
    from concord.compliance import services as compliance
    from concord.loans import services as loans
    from concord.outreach import services as outreach
    from concord.workbench import calls

    case = world.cases["a"]
    collector = world.users["col_a"]
    on = days_ago(30)
    for kind in ("pre_job_training", "pre_job_exam"):
        compliance.record_qualification(None, user=collector, kind=kind, passed_on=on)
    loans.record_payment(collector, account=case.accounts.get(), amount=Decimal("100.00"), channel="alipay",
                         paid_at=dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC), external_reference="TX-CALL")
    point = case.debtor.contact_points.get(kind="mobile", is_primary=True)
    decision = calls.start_call(collector, case, contact_point=point)
    calls.log_call(collector, case, decision, outcome="no_answer")
    outreach.send_message(collector, case, channel="sms", template_code="reminder")


def _secrets() -> set[str]:
    values = set(tracking.plaintext_pii()) | {NEW_ID, BAD_ROW_ID, UNKNOWN_ID, *PHONES, *SHORT_PHONES}
    for value in list(values):
        if re.fullmatch(r"\d{17}[\dX]", value):
            values.add(value[:6] + value[8:17])  # the 15-digit form
        if re.fullmatch(r"1\d{10}", value):
            values.add("+86" + value)
    return {v for v in values if re.search(r"\d{7}", v)}  # ID numbers and phone numbers


def test_no_audit_event_holds_an_id_number_or_a_phone_number(imported):
    _work_the_case(imported)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    for kind in ("placements", "contacts", "payments", "recalls"):
        assert f"import.{kind}.rows" in actions
    assert {"payment.record", "compliance.decide", "activity.call", "activity.sms", "outreach.send"} <= actions
    secrets = _secrets()
    leaks = []
    for event in AuditEvent.objects.order_by("id"):
        text = json.dumps([event.actor_label, event.object_type, event.object_id, event.changes],
                          ensure_ascii=False, default=str)
        found = sorted(s for s in secrets if s in text)
        if found:
            leaks.append(f"{event.action}: {found}")
    assert not leaks, "audit events with ID numbers or phone numbers in clear:\n" + "\n".join(leaks)
