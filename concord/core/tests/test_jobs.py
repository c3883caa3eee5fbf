"""The job framework: start, progress, cancel, end; and what happens to a job whose worker died."""
from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError

from concord.core import jobs
from concord.core.models import AuditEvent, Job, JobState, WorkerProcess

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds(settings):
    settings.CONCORD_JOBS_INLINE = True
    saved = dict(jobs.KINDS)
    seen: list = []

    @jobs.kind("test.count", label="count", resumable=True, cancellable=True)
    def count(ctx):
        start = ctx.job.done if ctx.resumed else 0
        for i in range(start, ctx.params["n"]):
            if ctx.cancelled():
                raise jobs.Cancelled
            ctx.progress(i + 1, ctx.params["n"], stage="rows")
            seen.append(i)
        return {"counted": ctx.params["n"]}

    @jobs.kind("test.boom", label="boom")
    def boom(ctx):
        raise RuntimeError("the disk is full")

    @jobs.kind("test.once", label="once")
    def once(ctx):
        return {}

    yield seen
    jobs.KINDS.clear()
    jobs.KINDS.update(saved)


def test_a_job_runs_reports_progress_and_keeps_its_result(kinds, world):
    job = jobs.start_job("test.count", {"n": 5}, by=world.users["manager"])
    assert job.state == JobState.SUCCEEDED
    assert (job.done, job.total, job.percent, job.eta_seconds) == (5, 5, 100.0, 0)
    assert job.result == {"counted": 5}
    assert job.created_by == world.users["manager"] and job.attempts == 1
    assert [s[0] for s in job.stages] == ["rows"] and job.stages[0][1] is not None
    actions = list(AuditEvent.objects.filter(object_type="core.job", object_id=str(job.pk))
                   .values_list("action", flat=True))
    assert actions == ["job.start", "job.run", "job.finish"]


def test_a_failing_job_keeps_the_reason(kinds):
    job = jobs.start_job("test.boom")
    assert job.state == JobState.FAILED
    assert "the disk is full" in job.error


def test_unknown_kinds_are_refused(kinds):
    with pytest.raises(ValidationError):
        jobs.start_job("test.nothing")


def test_a_scheduled_slot_runs_once(kinds):
    first = jobs.start_job("test.once", slot="test.once@2026-12-07T00:30")
    again = jobs.start_job("test.once", slot="test.once@2026-12-07T00:30")
    assert first.pk == again.pk and Job.objects.count() == 1


def test_cancel_a_queued_job_and_a_running_one(kinds, settings):
    settings.CONCORD_JOBS_INLINE = False
    queued = jobs.start_job("test.count", {"n": 3})
    assert jobs.request_cancel(queued).state == JobState.CANCELLED
    with pytest.raises(ValidationError):
        jobs.request_cancel(queued)  # finished already

    running = jobs.start_job("test.count", {"n": 3})
    Job.objects.filter(pk=running.pk).update(cancel_requested=True)
    assert jobs.run_job(running.pk) == JobState.CANCELLED
    assert kinds == []  # stopped before the first row


def test_a_running_job_of_a_kind_that_cannot_stop_safely_is_not_cancelled(kinds, settings):
    settings.CONCORD_JOBS_INLINE = False
    job = jobs.start_job("test.once")
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    with pytest.raises(ValidationError):
        jobs.request_cancel(job)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_job_whose_worker_died_resumes_or_fails_with_the_reason(kinds, settings):
    settings.CONCORD_JOBS_INLINE = False
    dead = f"{jobs.socket.gethostname()}:{_dead_pid()}"
    resumable = jobs.start_job("test.count", {"n": 4})
    Job.objects.filter(pk=resumable.pk).update(state=JobState.RUNNING, worker=dead, attempts=1, done=2, total=4)
    other = jobs.start_job("test.once")
    Job.objects.filter(pk=other.pk).update(state=JobState.RUNNING, worker=dead, attempts=1)
    alive = jobs.start_job("test.once")
    Job.objects.filter(pk=alive.pk).update(state=JobState.RUNNING, worker=jobs.worker_name(), attempts=1)

    handled = {j.pk: j.state for j in jobs.recover_orphans()}
    assert handled == {resumable.pk: JobState.QUEUED, other.pk: JobState.FAILED}
    assert "不能安全续跑" in Job.objects.get(pk=other.pk).error
    assert Job.objects.get(pk=alive.pk).state == JobState.RUNNING

    assert jobs.run_job(resumable.pk) == JobState.SUCCEEDED
    assert kinds == [2, 3]  # only the rows the dead attempt had not done
    assert Job.objects.get(pk=resumable.pk).attempts == 2


def test_a_worker_on_another_host_is_gone_when_its_heartbeat_is_stale(kinds, settings):
    from concord.core import clock

    now = clock.now()
    WorkerProcess.objects.create(name="elsewhere:42", host="elsewhere", pid=42, started_at=now, heartbeat_at=now)
    assert not jobs.worker_gone("elsewhere:42", now)
    later = now + jobs.dt_seconds(settings.CONCORD_WORKER_STALE_SECONDS + 1)
    assert jobs.worker_gone("elsewhere:42", later)
    assert jobs.worker_gone("elsewhere:43", now)  # never registered
