"""``concord seed --seed 7 --debtors 5000`` — fill an empty database with a realistic demo book and sixty days of
history (calls and SMS through the compliance gate, promises, payments, tasks, an end-of-day run every night).

Everything is written through the bulk path the imports use, with the services' checks, one audit event per chunk
(actor: system), so the audit trail shows the seed like any other batch. The same ``--seed`` and ``--as-of`` give
the same book. A database that already holds creditors, debtors or the demo users is refused; ``--flush`` erases the
whole database first.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from concord.core import clock
from concord.demo.portfolio import ENGINE_DAYS, HISTORY_DAYS, SeedRefused, existing_data, seed_portfolio


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}")


def _positive(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}")
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def table(rows: list[tuple[str, ...]], indent: str = "  ") -> list[str]:
    """Rows as aligned columns (CJK characters count double)."""
    widths = [max(_width(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(_pad(str(cell), w) for cell, w in zip(row, widths)).rstrip() for row in rows]


class Command(BaseCommand):
    help = "Seed an empty database with a deterministic demo portfolio (creditors, debtors, cases, staff)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7); same seed → same data")
        parser.add_argument("--debtors", type=_positive, default=5000, help="number of debtors (default 5000)")
        parser.add_argument("--as-of", type=_date, default=None, dest="as_of",
                            help="the demo's today, YYYY-MM-DD (default: today); the history covers the "
                                 f"{HISTORY_DAYS} days before it")
        parser.add_argument("--engine-days", type=_positive, default=ENGINE_DAYS, dest="engine_days",
                            help=f"how many of the last nights run the end-of-day engine (default {ENGINE_DAYS}; "
                                 f"the nights before are replayed by the seeder; at most {HISTORY_DAYS})")
        parser.add_argument("--flush", action="store_true",
                            help="ERASE the whole database (all data, all users) before seeding")
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")

    def handle(self, *args, seed, debtors, as_of, flush, quiet, engine_days=ENGINE_DAYS, **options):
        if debtors < 1:  # call_command(debtors=…) skips the argparse type check
            raise CommandError("--debtors: must be at least 1")
        if not 1 <= engine_days <= HISTORY_DAYS:
            raise CommandError(f"--engine-days: must be between 1 and {HISTORY_DAYS}")
        quiet = quiet or options.get("verbosity", 1) == 0
        say = (lambda line="": None) if quiet else self.stdout.write
        if flush:
            say("flushing the database …")
            call_command("flush", interactive=False, verbosity=0)
        as_of = as_of or clock.today()
        say(f"seeding {debtors} debtors with seed {seed} and {HISTORY_DAYS} days of history up to {as_of} …")

        def progress(stage, done, total, seconds):
            line = {"debtors": f"seeded {done}/{total} debtors ({seconds:.0f} s)",
                    "written": f"wrote {done}/{total} borrower files ({seconds:.0f} s)",
                    "history": f"simulated day {done}/{total} of the history ({seconds:.0f} s)",
                    "written-days": f"wrote day {done}/{total} of the history ({seconds:.0f} s)",
                    "engine": f"end-of-day engine: night {done}/{total} ({seconds:.1f} s)"}[stage]
            if stage in ("debtors", "written", "engine") or done == total or done % 10 == 0:
                say(line)
                self.stdout.flush()  # visible at once even when the output is piped to a file

        if not existing_data():  # a new book in an empty database: an old book's history goes with it
            call_command("history", "clear", stdout=io.StringIO())
        try:
            result = seed_portfolio(seed=seed, debtors=debtors, as_of=as_of, progress=progress,
                                    engine_days=engine_days)
        except SeedRefused as exc:
            raise CommandError(
                f"the database is not empty ({exc}); seeding would mix demo data into it. Delete the database "
                f"file (or use another CONCORD_DATA_DIR / DATABASE_URL), or rerun with --flush to ERASE everything "
                f"first.")
        # the daily history: the engine's nights kept theirs; the replayed nights are rebuilt from the raw tables
        history = io.StringIO()
        call_command("history", "backfill", "--from", (result.as_of - dt.timedelta(days=result.history_days)).isoformat(),
                     "--to", (result.as_of - dt.timedelta(days=1)).isoformat(), stdout=history)
        # quality inspection (质检): the last week's calls sampled, a share of them reviewed (by command name: the
        # quality app sits above the demo in the layers)
        quality = io.StringIO()
        call_command("quality", "sample", "--from", (result.as_of - dt.timedelta(days=7)).isoformat(),
                     "--to", result.as_of.isoformat(), "--seed", str(seed), stdout=quality)
        call_command("quality", "demo-reviews", "--seed", str(seed), stdout=quality)
        if quiet:
            return
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        say()
        say(self.style.SUCCESS(f"Demo portfolio ready in {result.elapsed:.1f} s "
                               f"({1000 * result.elapsed / result.debtors:.0f} ms per debtor; seed {result.seed}, "
                               f"as of {result.as_of}, fingerprint {result.fingerprint})"))
        say(f"  creditors  {len(result.creditors)}: " + ", ".join(f"{c} {n}" for c, n in result.creditors))
        say(f"  debtors    {result.debtors} (lost contact {result.lost_contact}, deceased {result.deceased})")
        say(f"  cases      {result.cases} (unassigned {result.unassigned})")
        say(f"  accounts   {result.accounts}")
        rows = [(b, str(n), f"{100 * n / max(result.accounts, 1):.1f}%") for b, n in result.buckets.items()]
        for line in table([("bucket", "accounts", "share")] + rows, indent="    "):
            say(line)
        say(f"  payments   {result.payments} totalling ¥{result.paid_total:,.2f}")
        contacts = result.contacts
        say(f"  history    {result.history_days} days: {contacts.get('call', 0)} calls, {contacts.get('sms', 0)} SMS, "
            f"{contacts.get('denied', 0)} refused by the gate; promises "
            + ", ".join(f"{k} {v}" for k, v in sorted(result.promises.items())))
        for line in quality.getvalue().splitlines():
            say(f"  {line}")
        runs = result.eod_runs
        say(f"  end of day {sum(runs.values())} nights ({runs.get('duckdb', 0)} by the engine, "
            f"{runs.get('replay', 0)} replayed); today's queue {result.queue_today} contacts, "
            f"{result.open_tasks} open tasks")
        say(f"  reports    daily history {history.getvalue().strip()}; the engine's nights kept their own "
            f"(concord history days)")
        say("  seconds    " + ", ".join(f"{k} {v}" for k, v in result.seconds.items()))
        if result.ledger_mismatches:
            self.stderr.write(f"warning: on {result.ledger_mismatches} account-nights the replayed ledger and the "
                              f"end-of-day engine disagreed")
        say()
        say("Logins (DEMO ONLY — every user has the same password; never use this database for real work):")
        for line in table([("role", "username", "password", "team")]
                          + [(role, user, result.password, team) for role, user, team in result.logins]):
            say(line)
