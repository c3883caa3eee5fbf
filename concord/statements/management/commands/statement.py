"""``concord statement CREDITOR --month YYYY-MM [--json]`` — a creditor's monthly statement (回款对账单).

With ``--json``: one JSON line per statement line, ``{"account", "date", "amount", "commission", "rule"}`` (an
adjustment's rule starts with ``backdated:`` or ``reversal:``), then ``{"summary": {"payments", "collected",
"commission", "adjustments", "remit"}}``; amounts are strings of yuan with two decimals. Without it, a table.
Read only: an open month is computed from the ledger, a frozen one read as approved.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from concord.creditors.models import Creditor
from concord.statements.compute import parse_month, statement_lines, summarize


class Command(BaseCommand):
    help = "A creditor's monthly statement: each payment with its commission and rule, then the totals."

    def add_arguments(self, parser):
        parser.add_argument("creditor", help="the creditor's code")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--json", action="store_true", help="JSON lines")

    def handle(self, *args, creditor, month, json: bool = False, **options):
        found = Creditor.objects.filter(code=creditor).first()
        if found is None:
            raise CommandError(f"creditor: no creditor with code {creditor!r}")
        try:
            first = parse_month(month)
        except ValueError:
            raise CommandError(f"--month: {month!r} is not YYYY-MM")
        statement, lines = statement_lines(found, first)
        summary = summarize(lines)
        if json:
            for line in lines:
                self.stdout.write(_dumps(line.as_json()))
            self.stdout.write(_dumps({"summary": summary.as_json()}))
            return
        status = statement.get_status_display() if statement else "待确认"
        self.stdout.write(f"{found.name} {first:%Y-%m} ({status})")
        for line in lines:
            j = line.as_json()
            self.stdout.write(f"{j['date']}  {j['account']:<20} {j['amount']:>12} {j['commission']:>10}  {j['rule']}")
        for key, value in summary.as_json().items():
            self.stdout.write(f"{key}: {value}")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
