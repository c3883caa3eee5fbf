"""``concord portal`` — the borrower portal's operator commands.

    concord portal reconcile --provider sandbox|alipay|wechat [--day 2026-12-07] [--file bill.csv] [--json]
    concord portal link --debtor 123 [--channel sms]

``reconcile`` compares the provider's bill for the day (the file downloaded from the provider; for the sandbox the
sandbox's own bill when no file is named) with the orders: matched, posted from the bill when a notification never
came, and every difference (an unknown order, an amount or trade number that differs, an order paid here but not
on the bill); it is audited and prints the counts. Run it daily after the provider publishes the bill (Alipay and
WeChat Pay: the next morning). ``link`` prints a personal sign-in path for a borrower (for a letter, or the demo).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Borrower portal: reconcile a provider's daily bill; print a sign-in link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="compare a provider's daily bill with the portal's orders")
        rec.add_argument("--provider", required=True, choices=["alipay", "wechat", "sandbox"])
        rec.add_argument("--day", help="the bill's day (YYYY-MM-DD; default yesterday)")
        rec.add_argument("--file", help="the bill file (CSV; GBK or UTF-8)")
        rec.add_argument("--json", action="store_true")
        link = sub.add_parser("link", help="print a personal sign-in path")
        link.add_argument("--debtor", type=int, required=True)
        link.add_argument("--channel", default="letter", choices=["sms", "email", "letter", "wechat"])

    def handle(self, *args, **options):
        if options["action"] == "link":
            from concord.portal import actions, tokens

            self.stdout.write(actions.portal_url(tokens.make(options["debtor"], options["channel"])))
            return
        from concord.core import clock
        from concord.portal.payments import ledger, providers

        try:
            day = dt.date.fromisoformat(options["day"]) if options["day"] else clock.today() - dt.timedelta(days=1)
        except ValueError:
            raise CommandError("--day: expected YYYY-MM-DD") from None
        if options["file"]:
            raw = Path(options["file"]).read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("gbk")
            name = Path(options["file"]).name
        elif options["provider"] == "sandbox":
            text, name = providers.SandboxPlatform.bill(day), f"sandbox-{day}.csv"
        else:
            raise CommandError("--file: the provider's bill file is needed")
        try:
            run = ledger.reconcile(f"command:{options['provider']}", provider_name=options["provider"], day=day,
                                   text=text, file_name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        summary = {"provider": run.provider, "day": str(run.day), "matched": run.matched,
                   "posted_from_bill": run.posted_from_bill, "differences": run.differences}
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(f"{run.provider} {run.day}: {run.matched} matched, {run.posted_from_bill} posted from the "
                              f"bill, {len(run.differences)} differences")
            for d in run.differences:
                self.stdout.write(f"  {d['out_trade_no']} {d.get('trade_no', '')}: {d['issue']}")
