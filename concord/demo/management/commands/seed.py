"""``concord seed --seed 7 --debtors 5000`` — fill an empty database with a realistic demo book.

Everything is written through the services (actor: system), so the audit trail shows the seed like any
other work. The same ``--seed`` and ``--as-of`` give the same book. A database that already holds
creditors, debtors or the demo users is refused; ``--flush`` erases the whole database first.
"""
from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from concord.core import clock
from concord.demo.portfolio import SeedRefused, seed_portfolio


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
                            help="date balances are accrued to, YYYY-MM-DD (default: today)")
        parser.add_argument("--flush", action="store_true",
                            help="ERASE the whole database (all data, all users) before seeding")
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")

    def handle(self, *args, seed, debtors, as_of, flush, quiet, **options):
        if debtors < 1:  # call_command(debtors=…) skips the argparse type check
            raise CommandError("--debtors: must be at least 1")
        quiet = quiet or options.get("verbosity", 1) == 0
        say = (lambda line="": None) if quiet else self.stdout.write
        if flush:
            say("flushing the database …")
            call_command("flush", interactive=False, verbosity=0)
        as_of = as_of or clock.today()
        say(f"seeding {debtors} debtors with seed {seed}, balances as of {as_of} …")

        def progress(done, total, elapsed):
            say(f"seeded {done}/{total} debtors ({elapsed:.0f} s)")
            self.stdout.flush()  # visible at once even when the output is piped to a file

        try:
            result = seed_portfolio(seed=seed, debtors=debtors, as_of=as_of, progress=progress)
        except SeedRefused as exc:
            raise CommandError(
                f"the database is not empty ({exc}); seeding would mix demo data into it. Delete the database "
                f"file (or use another CONCORD_DATA_DIR / DATABASE_URL), or rerun with --flush to ERASE everything "
                f"first.")
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
        say()
        say("Logins (DEMO ONLY — every user has the same password; never use this database for real work):")
        for line in table([("role", "username", "password", "team")]
                          + [(role, user, result.password, team) for role, user, team in result.logins]):
            say(line)
