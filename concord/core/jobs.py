"""Jobs: long work that runs in the worker process (``concord worker``), not in a web request.

The API, for the apps (each registers its kinds, the core knows none of them):

    from concord.core import jobs

    @jobs.kind("imports.batch", label=gettext_lazy("导入文件"), resumable=True, cancellable=True)
    def run_import(ctx: jobs.Context) -> dict:          # the job's body
        for chunk in ...:
            if ctx.cancelled():                          # cancel asked (or the worker is stopping): stop here,
                raise jobs.Cancelled                     # at a point where nothing is half-written
            ...write the chunk in one transaction...
            ctx.progress(done, total, stage="rows")     # percent, rows done/total, ETA; a heartbeat too
        return {"rows": done}                            # kept as the job's result (JSON)

    job = jobs.start_job("imports.batch", {"batch": 12}, by=request.user)   # a Job row, queued
    jobs.request_cancel(job, by=user)                    # only kinds registered cancellable
    jobs.register_tick(func)                             # called by the worker between tasks (the scheduler)
    jobs.register_follower(func)                         # called with each job that ends (alerts)

How it runs: :func:`start_job` writes a :class:`~concord.core.models.Job` (kind, params, who, state) and, once
committed, enqueues one task of Django's tasks API (the ``django-tasks`` backport, its database backend
``django-tasks-db``: a table, no broker, SQLite and PostgreSQL alike). ``concord worker`` (:mod:`concord.core.worker`)
claims tasks and runs :func:`run_job`, which marks the job running, calls the body with a :class:`Context` and
records how it ended (succeeded with its result, failed with the reason, cancelled). With
``settings.CONCORD_JOBS_INLINE`` (tests) the body runs at once in the caller.

Crash safety: a worker that dies (``kill -9``, power loss) leaves its job ``running``. Each worker keeps a
heartbeat row (:class:`~concord.core.models.WorkerProcess`); a worker that starts, and every worker now and then,
looks for running jobs whose worker is gone (its process is not alive on this host, or its heartbeat is older than
``CONCORD_WORKER_STALE_SECONDS``) and :func:`recover_orphans` them: a *resumable* kind is queued again (its body is
written in steps that each commit whole and are recognised when done, so a second attempt goes on from the last
committed step and applies nothing twice; the kind's ``recover`` hook tidies what the dead attempt left), any other
kind is marked failed with the reason. A job is tried at most :data:`MAX_ATTEMPTS` times.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tasks import task

from . import audit, clock
from .models import Job, JobState, WorkerProcess

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
PROGRESS_EVERY = 0.5  # seconds between two progress writes of a job (stage changes and the end always write)


class Cancelled(Exception):
    """Raised by a job's body at a safe point after :meth:`Context.cancelled` said yes."""


@dataclass(frozen=True)
class Kind:
    name: str
    func: Callable
    label: str
    resumable: bool = False      # safe to run again after a crash (steps commit whole and are not repeated)
    cancellable: bool = False    # the body checks ctx.cancelled() at safe points
    recover: Callable | None = None  # called with the Job before a crashed attempt is retried or failed
    see: str | None = None       # the capability (concord.staff.roles) that lets a user watch others' jobs of it


KINDS: dict[str, Kind] = {}


@dataclass(frozen=True)
class Schedulable:
    """Work the schedule can start (the operations page lists and edits these): a job kind, when by default."""
    key: str
    kind: str
    label: str
    at: str = "00:30"            # default time of day, in the book's time zone (settings.TIME_ZONE)
    enabled: bool = True         # on by default
    params: Callable | None = None   # slot's local date -> the job's params
    done: Callable | None = None     # slot's local date -> True when the work was done otherwise (no job needed)
    catch_up: bool = True        # a slot missed while no worker ran is run when one starts (the latest one only)


SCHEDULABLE: dict[str, Schedulable] = {}


def schedulable(key: str, *, kind: str, label, at: str = "00:30", enabled: bool = True, params: Callable | None = None,
                done: Callable | None = None, catch_up: bool = True) -> None:
    """Offer job kind ``kind`` to the schedule as ``key`` (one line per scheduled job, in the owning app's ready())."""
    SCHEDULABLE[key] = Schedulable(key, kind, label, at, enabled, params, done, catch_up)
_ticks: list[Callable] = []
_followers: list[Callable] = []


def kind(name: str, *, label, resumable: bool = False, cancellable: bool = False, recover: Callable | None = None,
         see: str | None = None):
    """Register the decorated function as the body of jobs of kind ``name``."""
    def register(func):
        KINDS[name] = Kind(name, func, label, resumable, cancellable, recover, see)
        return func
    return register


def register_tick(func: Callable) -> None:
    """``func(now)`` is called by the worker between tasks (at most every few seconds): the scheduler."""
    if func not in _ticks:
        _ticks.append(func)


def register_follower(func: Callable) -> None:
    """``func(job)`` is called after a job ends (succeeded, failed or cancelled), outside its transaction."""
    if func not in _followers:
        _followers.append(func)


def label_of(kind_name: str) -> str:
    k = KINDS.get(kind_name)
    return str(k.label) if k else kind_name


# --- starting, cancelling ---------------------------------------------------------------------------------

def start_job(kind_name: str, params: dict | None = None, by=None, *, slot: str | None = None,
              inline: bool | None = None) -> Job:
    """Queue a job of ``kind_name`` with ``params`` (JSON), started by ``by`` (a user, or None for the schedule).
    ``slot`` names a scheduled run: a second job for the same slot is refused (the existing one is returned).
    ``inline`` runs it at once in the caller (default ``settings.CONCORD_JOBS_INLINE``)."""
    inline = settings.CONCORD_JOBS_INLINE if inline is None else inline
    if kind_name not in KINDS:
        raise ValidationError({"kind": [_("未知的任务类型：%(k)s") % {"k": kind_name}]})
    if slot is not None:
        existing = Job.objects.filter(slot=slot).first()
        if existing is not None:
            return existing
    with transaction.atomic():
        job = Job.objects.create(kind=kind_name, params=params or {}, created_at=clock.now(), slot=slot,
                                 created_by=by if getattr(by, "pk", None) else None)
        audit.record(by, "job.start", job, {"kind": kind_name, "params": job.params, **({"slot": slot} if slot else {})})
        if not inline:
            transaction.on_commit(lambda: _enqueue(job.pk))
    if inline:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    result = run_job_task.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_id=str(result.id))


@transaction.atomic
def request_cancel(job: Job, by=None) -> Job:
    """Ask a job to stop: a queued job is cancelled at once; a running one stops at its next safe point."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    k = KINDS.get(job.kind)
    if job.finished:
        raise ValidationError({"job": [_("任务已结束，无法取消")]})
    if job.state == JobState.RUNNING and not (k and k.cancellable):
        raise ValidationError({"job": [_("此类任务运行中不能安全取消，请等待其结束")]})
    if job.state == JobState.QUEUED:
        job.state, job.finished_at, job.cancel_requested = JobState.CANCELLED, clock.now(), True
        job.error = _("运行前已取消")
        job.save(update_fields=["state", "finished_at", "cancel_requested", "error"])
    else:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    audit.record(by, "job.cancel", job, {"kind": job.kind, "state": job.state})
    return job


# --- running ----------------------------------------------------------------------------------------------

_stopping = threading.Event()  # set by the worker on SIGTERM / Ctrl-C: bodies stop at their next safe point


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Context:
    """What a job's body gets: its params, who started it, and the means to report progress and see a cancel."""
    job: Job
    kind: Kind
    by: object = None
    _last_write: float = 0.0
    _attempt_start: float = field(default_factory=time.monotonic)
    _start_done: int | None = None
    _stage_start: float = field(default_factory=time.monotonic)

    @property
    def params(self) -> dict:
        return self.job.params

    @property
    def resumed(self) -> bool:
        """True when an earlier attempt of this job was interrupted (the body goes on from what it committed)."""
        return self.job.attempts > 1

    def progress(self, done: int, total: int | None = None, *, stage: str | None = None) -> None:
        """Rows (or steps) done of ``total``; with ``stage``, the stage now running (its time is kept)."""
        job, now = self.job, time.monotonic()
        if self._start_done is None:
            self._start_done = done
        changed_stage = stage is not None and stage != job.stage
        if changed_stage:
            if job.stages and job.stages[-1][1] is None:
                job.stages[-1][1] = round(now - self._stage_start, 3)
            job.stages.append([stage, None])
            job.stage, self._stage_start = stage, now
        job.done, job.total = int(done), (int(total) if total is not None else job.total)
        if job.total:
            job.percent = round(min(100.0, 100.0 * job.done / job.total), 1)
            rate_done = job.done - self._start_done
            elapsed = now - self._attempt_start
            job.eta_seconds = (int(elapsed * (job.total - job.done) / rate_done)
                               if rate_done > 0 and job.done < job.total else (0 if job.done >= job.total else None))
        final = job.total is not None and job.done >= job.total
        if changed_stage or final or now - self._last_write >= PROGRESS_EVERY:
            self._write()

    def stage_done(self, stage: str, seconds: float) -> None:
        """A stage that ran elsewhere (the end-of-day engine's) and took ``seconds``."""
        if self.job.stages and self.job.stages[-1][0] == stage and self.job.stages[-1][1] is None:
            self.job.stages[-1][1] = round(seconds, 3)
        else:
            self.job.stages.append([stage, round(seconds, 3)])
        self.job.stage = stage
        self._write()

    def _write(self) -> None:
        if connection.in_atomic_block:  # inside the body's own transaction: written with the next one outside
            return
        self._last_write = time.monotonic()
        job = self.job
        Job.objects.filter(pk=job.pk).update(stage=job.stage, stages=job.stages, done=job.done, total=job.total,
                                             percent=job.percent, eta_seconds=job.eta_seconds,
                                             heartbeat_at=clock.now())

    def cancelled(self) -> bool:
        """Whether the body should stop at this safe point: a cancel was asked, or the worker is stopping."""
        if _stopping.is_set():
            return True
        if not self.kind.cancellable:
            return False
        return Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()


def run_job(job_id: int) -> str:
    """Run job ``job_id`` (the worker's task; inline in tests). Returns the state it ended in."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != JobState.QUEUED:
            return job.state if job else "missing"
        k = KINDS.get(job.kind)
        if k is None:
            return _end(job, JobState.FAILED, error=_("未知的任务类型：%(k)s") % {"k": job.kind})
        job.state, job.attempts, job.worker = JobState.RUNNING, job.attempts + 1, worker_name()
        job.started_at = job.started_at or clock.now()
        job.heartbeat_at = clock.now()
        job.save(update_fields=["state", "attempts", "worker", "started_at", "heartbeat_at"])
        audit.record(job.created_by, "job.run", job, {"kind": job.kind, "attempt": job.attempts})
    ctx = Context(job=job, kind=k, by=job.created_by)
    try:
        result = k.func(ctx)
    except Cancelled:
        job.refresh_from_db()
        if job.cancel_requested:
            return _end(job, JobState.CANCELLED, error=_("已按请求取消"), ctx=ctx)
        if k.resumable and _stopping.is_set():  # the worker stops: the next one goes on with it
            return _requeue(job, _("工作进程停止，任务将在下次启动时继续"))
        return _end(job, JobState.FAILED, error=_("工作进程停止，任务未完成"), ctx=ctx)
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if isinstance(exc, ValidationError):
            reason = "; ".join(exc.messages)
        return _end(job, JobState.FAILED, error=reason[:4000], ctx=ctx)
    return _end(job, JobState.SUCCEEDED, result=result if isinstance(result, dict) else {"value": result}, ctx=ctx)


def _end(job: Job, state: str, *, error: str = "", result: dict | None = None, ctx: Context | None = None) -> str:
    if ctx is not None and job.stages and job.stages[-1][1] is None:
        job.stages[-1][1] = round(time.monotonic() - ctx._stage_start, 3)
    if ctx is not None:
        job.stage, job.stages, job.done, job.total = ctx.job.stage, ctx.job.stages, ctx.job.done, ctx.job.total
    with transaction.atomic():
        job.state, job.finished_at, job.error = state, clock.now(), error
        if result is not None:
            job.result = result
        if state == JobState.SUCCEEDED:
            job.percent, job.eta_seconds = 100.0, 0
        job.save()
        audit.record(job.created_by, f"job.{'finish' if state == JobState.SUCCEEDED else state}", job,
                     {"kind": job.kind, "state": state, **({"error": error[:500]} if error else {})})
    for follower in _followers:
        try:
            follower(job)
        except Exception:  # an alert that cannot be sent must not change how the job ended
            log.exception("job follower %s failed for job %s", follower, job.pk)
    return state


def _requeue(job: Job, note: str) -> str:
    with transaction.atomic():
        job.state, job.error, job.worker = JobState.QUEUED, note, ""
        job.save(update_fields=["state", "error", "worker"])
        audit.record(None, "job.requeue", job, {"kind": job.kind, "attempts": job.attempts, "note": note})
        if not settings.CONCORD_JOBS_INLINE:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return JobState.QUEUED


# --- crash recovery ---------------------------------------------------------------------------------------

def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_gone(name: str, now=None) -> bool:
    """Whether the worker ``name`` (host:pid) no longer runs: its process is gone from this host, or it stopped,
    or its heartbeat is older than ``CONCORD_WORKER_STALE_SECONDS``."""
    if not name:
        return True
    host, _sep, pid = name.rpartition(":")
    if name == worker_name():
        return False
    if host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid)):
        return True
    row = WorkerProcess.objects.filter(name=name).first()
    if row is None or row.stopped_at is not None:
        return True
    now = now or clock.now()
    return (now - row.heartbeat_at).total_seconds() > settings.CONCORD_WORKER_STALE_SECONDS


def recover_orphans() -> list[Job]:
    """Running jobs whose worker is gone: queued again when their kind is resumable (at most MAX_ATTEMPTS
    attempts), else failed with the reason. Returns the jobs handled."""
    handled = []
    for job in Job.objects.filter(state=JobState.RUNNING):
        if not worker_gone(job.worker):
            continue
        k = KINDS.get(job.kind)
        if k is not None and k.recover is not None:
            try:
                k.recover(job)
            except Exception:
                log.exception("recovering job %s (%s)", job.pk, job.kind)
        with transaction.atomic():
            current = Job.objects.select_for_update().get(pk=job.pk)
            if current.state != JobState.RUNNING:
                continue
            _fail_task(current.task_id)
            if k is not None and k.resumable and current.attempts < MAX_ATTEMPTS and not current.cancel_requested:
                _requeue(current, _("工作进程 %(w)s 在运行中停止；任务从最后提交的一步继续") % {"w": current.worker})
            else:
                reason = (_("工作进程 %(w)s 在运行中停止；此类任务不能安全续跑，已标记失败") if not (k and k.resumable)
                          else _("工作进程 %(w)s 在运行中停止，已尝试 %(n)s 次，已标记失败"))
                current.error = reason % {"w": current.worker, "n": current.attempts}
                current.state, current.finished_at = JobState.FAILED, clock.now()
                current.save(update_fields=["state", "finished_at", "error"])
                audit.record(None, "job.failed", current, {"kind": current.kind, "error": current.error[:500]})
        handled.append(current)
        if current.state == JobState.FAILED:
            for follower in _followers:
                try:
                    follower(current)
                except Exception:
                    log.exception("job follower %s failed for job %s", follower, current.pk)
    return handled


def _fail_task(task_id: str) -> None:
    """The queue's own record of a task whose worker died stays 'running': close it."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(status="FAILED", finished_at=clock.now())


# --- the task the queue runs ------------------------------------------------------------------------------

@task()
def run_job_task(job_id: int) -> str:
    return run_job(job_id)


def dt_seconds(seconds: float):
    import datetime as dt

    return dt.timedelta(seconds=seconds)


def stopping() -> threading.Event:
    return _stopping


def ticks() -> list[Callable]:
    return list(_ticks)
