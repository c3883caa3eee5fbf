"""``concord synth snapshot --accounts N --seed S --out DIR [--as-of YYYY-MM-DD]`` — a synthetic end-of-day
snapshot (Parquet) shaped like the demo portfolio."""
from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Synthetic snapshots for the end-of-day run"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        snap = sub.add_parser("snapshot", help="write a synthetic snapshot")
        snap.add_argument("--accounts", type=int, required=True)
        snap.add_argument("--seed", type=int, default=7)
        snap.add_argument("--out", required=True)
        snap.add_argument("--as-of", default="2026-11-28")

    def handle(self, *args, **opts):
        from concord.eod import synth

        if opts["accounts"] < 1:
            raise CommandError("--accounts must be at least 1")
        try:
            as_of = dt.date.fromisoformat(opts["as_of"])
        except ValueError:
            raise CommandError(f"--as-of: not a date YYYY-MM-DD: {opts['as_of']!r}") from None
        started = time.perf_counter()
        rows = synth.write_snapshot(  # chunk by chunk: memory stays that of one chunk
            opts["accounts"], opts["out"], seed=opts["seed"], as_of=as_of,
            progress=lambda i, n: self.stdout.write(f"  chunk {i}/{n} {time.perf_counter() - started:8.2f} s"))
        for name, count in rows.items():
            self.stdout.write(f"  {name:<24} {count:>12,} rows")
        self.stdout.write(f"snapshot written to {opts['out']} in {time.perf_counter() - started:.2f} s")
