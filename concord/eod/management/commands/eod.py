"""``concord eod run --as-of 2026-11-28 [--engine duckdb|spark]`` — the end-of-day run against the application
database (export, engine, write-back in one transaction, an ``EodRun`` record); with ``--snapshot DIR --out DIR``
on a Parquet snapshot, without the database. Prints each stage as it finishes and the run summary."""
from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "End-of-day run (日终) on a Parquet snapshot"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run the engine for an as-of date")
        run.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        run.add_argument("--snapshot", help="directory of <table>.parquet files (without: the database)")
        run.add_argument("--out", help="directory for the result tables and summary.json (with --snapshot)")
        run.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        run.add_argument("--instalments", choices=["auto", "full", "changes"], default="auto",
                         help="with --snapshot: instalment_state holds the changes, every instalment, or "
                              "every instalment at month end and the changes on other days (auto)")

    def handle(self, *args, **opts):
        from concord.eod import engine
        from concord.eod.validate import SnapshotError

        try:
            as_of = dt.date.fromisoformat(opts["as_of"])
        except ValueError:
            raise CommandError(f"--as-of: not a date YYYY-MM-DD: {opts['as_of']!r}") from None
        if bool(opts["snapshot"]) != bool(opts["out"]):
            raise CommandError("--snapshot DIR and --out DIR go together (without both: run on the database)")
        if not opts["snapshot"]:
            return self._database(as_of, opts["engine"])
        self.stdout.write(f"EOD (日终) {as_of} on {opts['engine']}: reading {opts['snapshot']}")
        try:
            result = engine.run(opts["snapshot"], as_of, engine=opts["engine"], out=opts["out"],
                                instalments=opts["instalments"],
                                progress=lambda stage, sec: self.stdout.write(f"  {stage:<13} {sec:8.3f} s"))
        except SnapshotError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result.summary, ensure_ascii=False, indent=1))
        self.stdout.write(f"results written to {opts['out']}")

    def _database(self, as_of, engine_name):
        from concord.eod.adapter import RunInProgress, run_eod
        from concord.eod.validate import SnapshotError

        self.stdout.write(f"EOD (日终) {as_of} on {engine_name}: database")
        try:
            run = run_eod(as_of, engine_name=engine_name,
                          progress=lambda stage, sec: self.stdout.write(f"  {stage:<13} {sec:8.3f} s"))
        except SnapshotError as exc:
            raise CommandError(f"the database does not make a valid snapshot; nothing written:\n{exc}") from None
        except (RunInProgress, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(run.summary, ensure_ascii=False, indent=1))
        self.stdout.write(f"run #{run.pk} {run.status}")
