"""``concord worker``: the separate process that runs jobs (:mod:`concord.core.jobs`).

It is django-tasks-db's worker loop (claim a queued task with a row lock, run it, record the outcome) with what
Concord adds around it: a heartbeat row (:class:`~concord.core.models.WorkerProcess`) kept current by a thread; the
recovery of jobs whose worker died (:func:`concord.core.jobs.recover_orphans`) when it starts and every
``RECOVER_EVERY`` seconds; the registered ticks (the schedule) between tasks; and a graceful stop on SIGTERM or
Ctrl-C — the running job stops at its next safe point and is queued again for the next worker. A second signal
stops at once (like ``kill -9``: the job is recovered when a worker starts again).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Worker as DbWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import clock, jobs
from .models import Job, JobState, WorkerProcess

log = logging.getLogger("concord.worker")
RECOVER_EVERY = 30.0


class Worker(DbWorker):
    def __init__(self, *, tick_every: float = 5.0, schedule: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.tick_every, self.schedule = tick_every, schedule
        self.name = jobs.worker_name()
        self._beat_stop = threading.Event()

    def shutdown(self, signum, frame):
        jobs.stopping().set()  # the running body sees ctx.cancelled() and stops at a safe point
        super().shutdown(signum, frame)

    # -- heartbeat ------------------------------------------------------------------------------------------
    def _register(self) -> None:
        now = clock.now()
        WorkerProcess.objects.update_or_create(name=self.name, defaults={
            "host": socket.gethostname(), "pid": os.getpid(), "started_at": now, "heartbeat_at": now,
            "stopped_at": None})

    def _beat(self) -> None:
        every = settings.CONCORD_WORKER_HEARTBEAT_SECONDS
        while not self._beat_stop.wait(every):
            try:
                now = clock.now()
                WorkerProcess.objects.filter(name=self.name).update(heartbeat_at=now)
                Job.objects.filter(worker=self.name, state=JobState.RUNNING).update(heartbeat_at=now)
            except Exception:  # a busy database (a long write elsewhere): the next beat tries again
                log.warning("worker heartbeat not written", exc_info=True)
            finally:
                connection.close()

    # -- the loop -------------------------------------------------------------------------------------------
    def run(self) -> None:
        log.info("Concord worker %s starting", self.name)
        self._register()
        jobs.recover_orphans()
        beat = threading.Thread(target=self._beat, name="concord-worker-heartbeat", daemon=True)
        beat.start()
        last_tick = last_recover = 0.0
        try:
            while self.running:
                close_old_connections()
                now = time.monotonic()
                if now - last_recover >= RECOVER_EVERY:
                    jobs.recover_orphans()
                    last_recover = now
                if self.schedule and now - last_tick >= self.tick_every:
                    for tick in jobs.ticks():
                        try:
                            tick(clock.now())
                        except Exception:
                            log.exception("worker tick %s failed", tick)
                    last_tick = now
                task_result = self._claim()
                if task_result is not None:
                    self.run_task(task_result)
                if self.batch and task_result is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    time.sleep(self.interval)
        finally:
            self._beat_stop.set()
            try:
                WorkerProcess.objects.filter(name=self.name).update(stopped_at=clock.now())
            except Exception:
                log.warning("worker stop not recorded", exc_info=True)

    def _claim(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None
                raise
