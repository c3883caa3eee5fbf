"""``concord demo``: migrate, load the demo portfolio and its history when the database is empty, print the logins,
serve."""
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

    def handle(self, *args, seed, debtors, addr, no_serve, engine_days=ENGINE_DAYS, **options):
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
        self.stdout.write(self.style.SUCCESS(f"Concord is at http://{addr}/   (API docs: http://{addr}/api/docs/)"))
        if not no_serve:
            call_command("runserver", addr, use_reloader=False)
