"""``concord quality sample --from D --to D [--rate R] [--seed S]``: sample the calls of those days for quality review
(as the scheduled job does; idempotent). ``concord quality demo-reviews [--seed N] [--share F]``: review a share of
the samples for the demo book (run by ``concord seed``)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}", returncode=2) from None


class Command(BaseCommand):
    help = "Quality inspection: sample calls for review; reviews for the demo book."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sample = sub.add_parser("sample", help="sample the calls of the days from --from to --to")
        sample.add_argument("--from", dest="start", required=True)
        sample.add_argument("--to", dest="end", required=True)
        sample.add_argument("--rate", type=float, default=None)
        sample.add_argument("--seed", default=None)
        demo = sub.add_parser("demo-reviews", help="review a share of the samples (demo data only)")
        demo.add_argument("--seed", type=int, default=7)
        demo.add_argument("--share", type=float, default=0.6)

    def handle(self, *args, action, **options):
        from concord.quality import services

        if action == "demo-reviews":
            from concord.quality.demo import review_samples

            if not 0 <= options["share"] <= 1:
                raise CommandError("--share: between 0 and 1", returncode=2)
            self.stdout.write(f"quality    {review_samples(seed=options['seed'], share=options['share'])} calls reviewed")
            return
        start, end = _day(options["start"]), _day(options["end"])
        if end < start or (end - start).days > 366:
            raise CommandError("--to must be on or after --from, at most 366 days later", returncode=2)
        totals = {"calls": 0, "new": 0, "updated": 0}
        day = start
        while day <= end:
            try:
                got = services.sample_day(day, rate=options["rate"], seed=options["seed"])
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                                   returncode=2) from None
            for k in totals:
                totals[k] += got[k]
            day += dt.timedelta(days=1)
        self.stdout.write(f"quality    sampled {totals['new']} new calls of {totals['calls']} "
                          f"({totals['updated']} with new reasons), {start} — {end}")
