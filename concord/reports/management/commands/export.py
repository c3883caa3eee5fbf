"""``concord export cases|activities --out FILE [--creditor CODE] [--from D] [--to D]`` — exports for creditors
(format from the file's suffix: .csv or .xlsx; formula-like cells neutralised; audited)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concord.cases.models import Case
from concord.creditors.models import Creditor
from concord.reports import exports


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}", returncode=2) from None


class Command(BaseCommand):
    help = "Export the case list or the activity log (CSV or XLSX, by the output file's suffix)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["cases", "activities"])
        parser.add_argument("--out", required=True, help="output file, .csv or .xlsx")
        parser.add_argument("--creditor", help="creditor code (default: every creditor)")
        parser.add_argument("--from", dest="start", help="activities from this date (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="activities up to this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        path = Path(options["out"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in exports.FORMATS:
            raise CommandError("the output file must end in .csv or .xlsx", returncode=2)
        cases = Case.objects.all()
        if options["creditor"]:
            creditor = Creditor.objects.filter(code=options["creditor"]).first()
            if creditor is None:
                raise CommandError(f"unknown creditor: {options['creditor']}", returncode=2)
            cases = cases.filter(creditor=creditor)
        filters = {"creditor": options["creditor"]}
        if options["what"] == "cases":
            n = exports.export_cases("cli:export", cases, path, fmt, filters=filters)
        else:
            start = _date(options["start"]) if options["start"] else None
            end = _date(options["end"]) if options["end"] else None
            n = exports.export_activities("cli:export", cases, path, fmt, start=start, end=end, filters=filters)
        self.stdout.write(f"{n} rows → {path}")
