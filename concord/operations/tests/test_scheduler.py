"""The schedule with a pinned clock: due slots start once, a missed day is caught up, failures and missed slots
alert the operators by e-mail (a real local SMTP server)."""
from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest

from concord.core import clock
from concord.core.models import Job, JobState, WorkerProcess
from concord.eod.models import EodRun, RunStatus
from concord.operations import scheduler, services
from concord.operations.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline(settings):
    settings.CONCORD_JOBS_INLINE = True


@pytest.fixture
def operator(world):
    from concord.staff.models import User

    return User.objects.create_user(username="ops", password="pw-ops", role="operator", email="ops@concord.example.cn")


def _only(started, kind):
    return [j for j in started if j.kind == kind]


@pytest.mark.clock("2026-12-08T00:31:00+08:00")
def test_the_nightly_end_of_day_run_starts_by_itself_once(world, inline):
    started = scheduler.tick()
    eod = _only(started, "eod.run")
    assert len(eod) == 1 and eod[0].params["as_of"] == "2026-12-07"
    assert eod[0].slot == "eod_nightly@2026-12-08T00:30:00+08:00" and eod[0].created_by is None
    assert eod[0].state == JobState.SUCCEEDED, eod[0].error
    assert EodRun.objects.get(as_of=dt.date(2026, 12, 7)).status == RunStatus.SUCCEEDED
    assert [s[0] for s in Job.objects.get(pk=eod[0].pk).stages][:2] == ["export", "validate"]
    assert _only(scheduler.tick(), "eod.run") == []  # the slot ran: not again


@pytest.mark.clock("2026-12-08T00:29:00+08:00")
def test_nothing_starts_before_its_time(world, inline):
    EodRun.objects.create(as_of=dt.date(2026, 12, 6), engine="duckdb", status=RunStatus.SUCCEEDED,
                          started_at=clock.now(), finished_at=clock.now())
    assert _only(scheduler.tick(), "eod.run") == []  # yesterday's run is done: no catch-up needed


@pytest.mark.clock("2026-12-08T09:00:00+08:00")
def test_a_day_missed_while_the_machine_was_down_is_caught_up_and_alerted(world, inline, operator, smtp):
    WorkerProcess.objects.create(name="old:1", host="old", pid=1, started_at=clock.now() - dt.timedelta(days=3),
                                 heartbeat_at=clock.now() - dt.timedelta(days=1), stopped_at=clock.now())
    started = _only(scheduler.tick(), "eod.run")
    assert len(started) == 1 and started[0].params["as_of"] == "2026-12-07"
    alert = Alert.objects.get(slot="eod_nightly@2026-12-08T00:30:00+08:00")
    assert alert.kind == "missed" and alert.sent and alert.recipients == ["ops@concord.example.cn"]
    messages = [email.message_from_bytes(e.content, policy=policy.default) for e in smtp.envelopes]
    assert any("补跑" in m.get_body().get_content() for m in messages)
    # the two days before were missed for good (only the latest slot is caught up): listed and alerted once each
    states = {(s.entry.key, s.at.date()): s.state for s in scheduler.recent()}
    assert states[("eod_nightly", dt.date(2026, 12, 7))] == "missed"
    assert states[("eod_nightly", dt.date(2026, 12, 8))] == "late"
    before = len(smtp.envelopes)
    scheduler.tick()
    assert len(smtp.envelopes) == before  # nothing alerted twice


@pytest.mark.clock("2026-12-08T07:05:00+08:00")
def test_a_failed_scheduled_job_alerts_the_operators(world, inline, operator, smtp, monkeypatch):
    from concord.workbench import promises

    def broken(*args, **kwargs):
        raise RuntimeError("database is read-only")

    monkeypatch.setattr(promises, "remind_promises", broken)
    job = _only(scheduler.tick(), "workbench.remind_promises")[0]
    assert job.state == JobState.FAILED and "read-only" in job.error
    alert = Alert.objects.get(kind="failed")
    assert alert.job_id == job.pk and alert.sent
    body = email.message_from_bytes(smtp.envelopes[-1].content, policy=policy.default).get_body().get_content()
    assert "承诺还款提醒" in body and "read-only" in body


@pytest.mark.clock("2026-12-08T01:00:00+08:00")
def test_an_operator_moves_the_nightly_run(world, inline, operator):
    import time_machine

    EodRun.objects.create(as_of=dt.date(2026, 12, 6), engine="duckdb", status=RunStatus.SUCCEEDED,
                          started_at=clock.now(), finished_at=clock.now())
    services.set_schedule(operator, "eod_nightly", enabled=True, at=dt.time(2, 15), weekdays="1234567")
    assert _only(scheduler.tick(), "eod.run") == []  # 00:30 no longer: the next slot is at 02:15
    entry = next(e for e in scheduler.entries() if e.key == "eod_nightly")
    assert scheduler.next_slot(entry, clock.now()).isoformat() == "2026-12-08T02:15:00+08:00"
    with time_machine.travel(dt.datetime.fromisoformat("2026-12-08T02:16:00+08:00"), tick=False):
        started = _only(scheduler.tick(), "eod.run")
    assert [j.slot for j in started] == ["eod_nightly@2026-12-08T02:15:00+08:00"]
    with pytest.raises(Exception):  # a manager does not edit the schedule
        services.set_schedule(world.users["manager"], "eod_nightly", enabled=False, at=dt.time(1), weekdays="1")
