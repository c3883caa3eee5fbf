"""Workbench fixtures: a fixed clock at 10:00 Beijing time today (so the gate's hours never depend on when the
tests run) and qualified collectors (the gate's QUAL house rule)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from concord.core import clock

SH = ZoneInfo("Asia/Shanghai")


def ten_am() -> dt.datetime:
    return dt.datetime.combine(clock.today(), dt.time(10, 0), SH)


def qualify(user):
    from concord.compliance import services

    on = clock.today() - dt.timedelta(days=30)
    services.record_qualification(None, user=user, kind="pre_job_training", passed_on=on)
    services.record_qualification(None, user=user, kind="pre_job_exam", passed_on=on)


@pytest.fixture
def clock_at(settings):
    """Set the workbench clock: ``clock_at(datetime)``; defaults to 10:00 today, Beijing time."""
    def set_(when: dt.datetime | None = None):
        settings.CONCORD_CLOCK = (when or ten_am()).isoformat()
        return when or ten_am()
    set_()
    return set_


@pytest.fixture
def crew(world, clock_at):
    """The world with col_a, col_b and lead_a qualified, and the bank's unassigned case u given to col_a."""
    from concord.cases import services

    for name in ("col_a", "col_b", "lead_a"):
        qualify(world.users[name])
    services.assign_case(None, world.cases["u"], collector=world.users["col_a"], reason="test")
    world.cases["u"].refresh_from_db()
    return world
