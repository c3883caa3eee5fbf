import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from concord.compliance import services as compliance
from concord.debtors import services as debtors

SH = ZoneInfo("Asia/Shanghai")
ADDRESS = "北京市朝阳区建国路88号3单元501室"


def when(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SH)


def qualify(*users):
    for user in users:
        compliance.record_qualification(None, user=user, kind="pre_job_training", passed_on=dt.date(2026, 6, 1))
        compliance.record_qualification(None, user=user, kind="pre_job_exam", passed_on=dt.date(2026, 6, 1))


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def vw(world):
    """The world with an address for case a's debtor and qualified staff in team A (lead_a, col_a, field)."""
    u = world.users
    qualify(u["lead_a"], u["col_a"], u["field"], u["col_b"])
    world.address = debtors.add_contact_point(None, world.cases["a"].debtor, kind="address", value=ADDRESS,
                                              address_type="home", status="valid")
    return world
