"""Outreach fixtures: a qualified collector, sender details, an e-mail and a postal address for case a, a fixed
daytime instant, and the SMS sink writing into a temporary folder."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)  # a Tuesday morning in the debtor's zone


def at(day=1, hour=10, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SH)


@pytest.fixture
def book(world, settings, tmp_path):
    from concord.compliance import services as compliance
    from concord.debtors import services as debtors
    from concord.outreach import services

    settings.CONCORD_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.CONCORD_SMS_ADAPTER = "sink"
    settings.CONCORD_SMS_RECEIPT_TOKEN = "receipt-secret"
    for name in ("col_a", "col_b", "lead_a"):
        compliance.record_qualification(None, user=world.users[name], kind="pre_job_training",
                                        passed_on=dt.date(2026, 6, 1))
        compliance.record_qualification(None, user=world.users[name], kind="pre_job_exam",
                                        passed_on=dt.date(2026, 6, 1))
    for code in ("bank", "fin"):
        services.save_sender_profile(world.users["manager"], world.creditors[code], phone="95555",
                                     address="上海市浦东新区陆家嘴环路 1 号", email=f"service@{code}.example.cn",
                                     payment_url="https://pay.example.cn/c/{case_reference}")
    debtor = world.cases["a"].debtor
    debtors.add_contact_point(None, debtor, kind="email", value="zhangsan@example.cn", status="valid")
    debtors.add_contact_point(None, debtor, kind="address", value="北京市朝阳区建国路 88 号 1 单元 101 室",
                              address_type="home", status="valid")
    return world
