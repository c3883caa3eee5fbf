"""``concord work`` — the workbench's daily jobs.

    concord work remind [--date YYYY-MM-DD] [--days-before 1]   reminder tasks for promises due soon
    concord work evaluate [--date YYYY-MM-DD]                    close promises past their date + grace days

Run both once a day (before the collectors start). Each promise is handled in its own audited transaction;
running twice creates nothing twice. Bad input raises a ``CommandError`` naming the option.
"""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date: not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Workbench jobs: promise reminders (remind) and promise evaluation (evaluate)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="job", required=True)
        remind = sub.add_parser("remind", help="create reminder tasks for promises due soon")
        remind.add_argument("--date")
        remind.add_argument("--days-before", type=int, default=1)
        evaluate = sub.add_parser("evaluate", help="mark promises kept / partially kept / broken")
        evaluate.add_argument("--date")

    def handle(self, *args, job, **opts):
        from concord.workbench import promises

        day = _date(opts.get("date"))
        if job == "remind":
            if not 0 <= opts["days_before"] <= 30:
                raise CommandError(f"--days-before: must be between 0 and 30, got {opts['days_before']}")
            made = promises.remind_promises(day, days_before=opts["days_before"])
            self.stdout.write(f"reminders created: {made}")
        else:
            counts = promises.evaluate_promises(day)
            self.stdout.write("promises closed: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
