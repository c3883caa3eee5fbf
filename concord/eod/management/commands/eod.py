"""``concord eod run --as-of 2026-11-28 --snapshot DIR --out DIR [--engine duckdb|spark]`` — the end-of-day run
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
        run.add_argument("--snapshot", help="directory of <table>.parquet files")
        run.add_argument("--out", help="directory for the result tables and summary.json")
        run.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")

    def handle(self, *args, **opts):
        from concord.eod import engine
        from concord.eod.validate import SnapshotError, read_snapshot

        try:
            as_of = dt.date.fromisoformat(opts["as_of"])
        except ValueError:
            raise CommandError(f"--as-of: not a date YYYY-MM-DD: {opts['as_of']!r}") from None
        if not opts["snapshot"] or not opts["out"]:
            raise CommandError("--snapshot DIR and --out DIR are required (the database adapter is not built yet)")
        self.stdout.write(f"日终 {as_of} on {opts['engine']}: reading {opts['snapshot']}")
        try:
            tables = read_snapshot(opts["snapshot"])
            result = engine.run(tables, as_of, engine=opts["engine"],
                                progress=lambda stage, sec: self.stdout.write(f"  {stage:<13} {sec:8.3f} s"))
        except SnapshotError as exc:
            raise CommandError(str(exc)) from None
        result.write(opts["out"])
        self.stdout.write(json.dumps(result.summary, ensure_ascii=False, indent=1))
        self.stdout.write(f"results written to {opts['out']}")
