"""``concord demo``: migrate, load the demo portfolio and its history when the database is empty, print the logins,
serve — the web server and the background worker (``concord worker``, a second process) together; Ctrl-C stops
both."""
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from concord.demo.files import write_demo_files

from concord.demo.portfolio import ENGINE_DAYS, existing_data
from concord.demo.staffing import DEMO_PASSWORD, STAFF
from concord.portal.actions import demo_entry


class Command(BaseCommand):
    help = "Run the Concord demo: database, demo portfolio and web UI."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--debtors", type=int, default=5000)
        parser.add_argument("--engine-days", type=int, default=ENGINE_DAYS, dest="engine_days",
                            help=f"nights of the history run by the end-of-day engine (default {ENGINE_DAYS})")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve on")
        parser.add_argument("--no-serve", action="store_true", help="prepare the database only")
        parser.add_argument("--no-worker", action="store_true", help="serve without the background worker")

    def handle(self, *args, seed, debtors, addr, no_serve, no_worker=False, engine_days=ENGINE_DAYS, **options):
        self.stdout.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        present = existing_data()
        if present:
            self.stdout.write(f"The database already holds {present}: the demo portfolio is not loaded again.")
            self.stdout.write(f"Demo logins — password for every user: {DEMO_PASSWORD}")
            for spec in STAFF:
                self.stdout.write(f"  {spec.role:<16} {spec.username}")
        else:
            call_command("seed", seed=seed, debtors=debtors, engine_days=engine_days,
                         stdout=self.stdout, stderr=self.stderr)  # prints the progress and the logins
        self.stdout.write("")
        self.stdout.write("Sample creditor files to try the imports (web: 导入 / Imports, or the command line):")
        for path, command in write_demo_files(settings.DATA_DIR / "demo-files", seed=seed):
            self.stdout.write(f"  {command}")
        entry = demo_entry()
        if entry:
            self.stdout.write("")
            self.stdout.write(f"The borrower's self-service portal (phone first): http://{addr}/p/")
            self.stdout.write(f"  sign in as {entry['name']}, ID ending {entry['id_last4']}, mobile {entry['mobile']}; "
                              f"the code goes to the SMS sink ({settings.DATA_DIR / 'outbox'}/sms-*.jsonl)")
            self.stdout.write(f"  or open this personal link once (7 days): http://{addr}{entry['link']}")
        self.stdout.write("")
        if getattr(settings, "CONCORD_TWO_FACTOR", "required") == "off":
            self.stdout.write("Two-factor sign-in is off in the demo (CONCORD_TWO_FACTOR=off): in production admin, "
                              "manager, compliance and creditor users enrol an authenticator app at their first "
                              "sign-in. Any user may try it here on their security page (click your name).")
        if getattr(settings, "DEV_KEYS", False):
            self.stdout.write(f"The demo uses development keys ({settings.DATA_DIR}): other concord commands on this "
                              "database need them too — export CONCORD_DEV_KEYS=1 (never in production).")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Concord is at http://{addr}/   (API docs: http://{addr}/api/docs/)"))
        if no_serve:
            return
        # Ctrl-C (SIGINT, even when a parent shell ignored it) and SIGTERM stop the server, then the worker
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        worker = None
        if not no_worker:
            self.stdout.write("Starting the background worker (concord worker) …")
            worker = subprocess.Popen([sys.executable, "-m", "concord.cli", "worker"])
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            if worker is not None:
                stop_worker(worker)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def stop_worker(worker: subprocess.Popen, wait: float = 30.0) -> None:
    """Ask the worker to stop (it finishes the step it is on; the job resumes at the next start), then make sure."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
