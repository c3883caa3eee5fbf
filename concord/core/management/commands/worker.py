"""``concord worker`` — run the background jobs (imports, the end-of-day run, exports, the schedule).

    concord worker                 # run until SIGTERM / Ctrl-C (the running job stops at a safe point, resumes later)
    concord worker --batch         # run what is queued, then exit
    concord worker --no-schedule   # do not start scheduled jobs (another worker does)

Run one or more of them beside the web server (docs/operator-guide.md has a systemd unit).
"""
from __future__ import annotations

import logging
import sys

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from concord.core.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: jobs from the queue and the schedule."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds to wait when the queue is empty (default 1)")
        parser.add_argument("--batch", action="store_true", help="run the queued jobs, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many jobs")
        parser.add_argument("--no-schedule", dest="schedule", action="store_false",
                            help="do not start scheduled jobs from this worker")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between two looks at the schedule")

    def handle(self, *args, interval, batch, max_tasks, schedule, tick, verbosity, **options):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        for name in ("concord", "django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
            if not logger.handlers:
                logger.addHandler(handler)
                logger.propagate = False
        worker = Worker(queue_names=["default"], interval=interval, batch=batch, backend_name="default",
                        startup_delay=False, max_tasks=max_tasks, worker_id=get_random_string(32),
                        excluded_queue_names=[], tick_every=tick, schedule=schedule)
        worker.configure_signals()
        worker.run()
