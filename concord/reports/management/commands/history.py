"""``concord history days|backfill`` — the daily history the reports stand on (docs/reports.md).

``days`` lists the kept days (source: eod = kept by that night's run, backfill = rebuilt from the raw tables;
restated: how many times a back-dated payment restated it) and the size on disk; ``backfill --from D --to D``
rebuilds the days not kept yet from the raw tables (``--replace``: every day of the period); ``clear`` forgets every
day (the seed does, before it builds a new book)."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from concord.reports import capture


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}", returncode=2) from None


class Command(BaseCommand):
    help = "List the daily history's days, or rebuild days before it began from the raw tables."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["days", "backfill", "clear"])
        parser.add_argument("--from", dest="start", type=_date, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", type=_date, help="last day (YYYY-MM-DD)")
        parser.add_argument("--replace", action="store_true", help="backfill: rebuild kept days too")

    def handle(self, *args, action, start, end, replace, **options):
        st = capture.store()
        if action == "clear":
            st.clear()
            self.stdout.write(f"history cleared ({st.root})")
            return
        if action == "backfill":
            if not start or not end:
                raise CommandError("backfill needs --from and --to", returncode=2)
            if end < start:
                raise CommandError(f"--to {end} is before --from {start}", returncode=2)
            written = capture.backfill(start, end, replace=replace)
            self.stdout.write(f"rebuilt {len(written)} days from the raw tables"
                              + (f" ({written[0]} … {written[-1]})" if written else ""))
            return
        days = st.days()
        if not days:
            self.stdout.write(f"no history kept yet in {st.root}")
            return
        sources = {}
        for day in days:
            meta = st.meta(day) or {}
            sources[meta.get("source", "?")] = sources.get(meta.get("source", "?"), 0) + 1
            self.stdout.write(f"{day}  {meta.get('source', '?'):<8} accounts {meta.get('accounts', 0):>8}"
                              f"  restated {len(meta.get('restated', []))}")
        self.stdout.write(f"{len(days)} days ({days[0]} … {days[-1]}; "
                          + ", ".join(f"{k} {v}" for k, v in sorted(sources.items()))
                          + f"), {st.size_bytes() / 1e6:.1f} MB in {st.root}")
