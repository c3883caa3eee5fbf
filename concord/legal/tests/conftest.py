import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from concord.conftest import make_case, resident_id

SH = ZoneInfo("Asia/Shanghai")


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def old_case(world):
    """A 12-month loan from March 2021, assigned to col_a: its last instalment fell due in March 2022."""
    return make_case(None, world.creditors["bank"], name="赵六", id_number=resident_id("110105", "19700101", 444),
                     phone="13600003333", reference="LOAN-OLD", start=dt.date(2021, 3, 15), as_of=dt.date(2023, 1, 1),
                     collector=world.users["col_a"], team=world.teams["A"])
