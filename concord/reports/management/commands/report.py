"""``concord report NAME --from DATE --to DATE [--creditor CODE] [--json]`` — a report's table from the daily history
(docs/reports.md): recovery, roll-rates, promises, contact. ``--json`` prints one JSON object per line with exactly
the report's columns (money as a decimal string in yuan, rates as numbers, null where undefined)."""
from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from concord.creditors.models import Creditor
from concord.reports import tables
from concord.reports.metrics import Filters


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}", returncode=2) from None


def _cell(value):
    return str(value) if hasattr(value, "quantize") else value


class Command(BaseCommand):
    help = "Print a management report's table (recovery, roll-rates, promises, contact) for a period."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=tables.NAMES)
        parser.add_argument("--from", dest="start", type=_date, required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", type=_date, required=True, help="last day (YYYY-MM-DD)")
        parser.add_argument("--creditor", help="creditor code (default: every creditor)")
        parser.add_argument("--json", action="store_true", help="JSON lines")

    def handle(self, *args, name, start, end, creditor, json: bool, **options):
        if end < start:
            raise CommandError(f"--to {end} is before --from {start}", returncode=2)
        filters = Filters()
        if creditor:
            found = Creditor.objects.filter(code=creditor).first()
            if found is None:
                raise CommandError(f"--creditor: no creditor with code {creditor!r}", returncode=2)
            filters = Filters(creditor_id=found.pk)
        rows = tables.table(name, start, end, filters)
        columns = tables.COLUMNS[name]
        if json:
            for row in rows:
                self.stdout.write(_dumps({c: _cell(row[c]) for c in columns}))
            return
        lines = [list(columns)] + [["" if row[c] is None else str(row[c]) for c in columns] for row in rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
        for line in lines:
            self.stdout.write("  ".join(v.rjust(w) for v, w in zip(line, widths)))
        if not rows:
            self.stdout.write("(no rows: is there history for the period? see concord history days)")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
