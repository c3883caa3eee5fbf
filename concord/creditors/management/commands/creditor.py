"""``concord creditor add|list`` — set up creditors (委托方) from the command line.

    concord creditor add hsbank --name 华盛银行信用卡中心 --kind bank --policy cn_bank
    concord creditor list

``add`` calls the ``add_creditor`` service, which also creates the default credit-card and online-loan
products. Bad input is refused with a message naming the field and the reason, and nothing is written.
"""
from __future__ import annotations

import re
import unicodedata
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from concord.creditors.models import Creditor, CreditorKind, PolicyPack, Product
from concord.creditors.services import add_creditor, set_contact_sharing

#: Command-line option for each model field, so errors name what the user typed.
OPTION = {"code": "CODE", "name": "--name", "kind": "--kind", "policy_pack": "--policy", "currency": "--currency",
          "time_zone": "--time-zone"}

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip() for row in rows]


ACTOR = "cli:creditor"


class Command(BaseCommand):
    help = "Manage creditors (委托方): add one with its default products, or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="{add,list,sharing}", required=True)
        add = sub.add_parser("add", help="add a creditor with default credit-card and online-loan products")
        add.add_argument("code", metavar="CODE", help="short code: letters, digits, - or _ (e.g. hsbank)")
        add.add_argument("--name", required=True, help="display name, e.g. 华盛银行信用卡中心")
        add.add_argument("--kind", required=True, help=f"one of: {', '.join(CreditorKind.values)}")
        add.add_argument("--policy", required=True, dest="policy_pack",
                         help=f"compliance policy pack, one of: {', '.join(PolicyPack.values)}")
        add.add_argument("--currency", default="CNY", help="ISO 4217 code (default CNY)")
        add.add_argument("--time-zone", default="Asia/Shanghai", dest="time_zone",
                         help="IANA time zone (default Asia/Shanghai)")
        sub.add_parser("list", help="list creditors with their products")
        sharing = sub.add_parser("sharing", help="allow (on) or forbid (off, the default) the use of this creditor's "
                                                 "contact details on other creditors' cases of the same person")
        sharing.add_argument("code", metavar="CODE")
        sharing.add_argument("state", choices=["on", "off"])

    def handle(self, *args, action, **options):
        if action == "add":
            return self._add(**options)
        if action == "sharing":
            return self._sharing(**options)
        return self._list()

    def _sharing(self, *, code, state, **_options):
        creditor = Creditor.objects.filter(code=code).first()
        if creditor is None:
            raise CommandError(f"no creditor with code {code!r}")
        creditor = set_contact_sharing(ACTOR, creditor, allow=state == "on")
        self.stdout.write(self.style.SUCCESS(
            f"{creditor.code}: contact details shared with other creditors' cases: "
            f"{'on (only with creditors that share too)' if creditor.share_contact_points else 'off'}"))

    def _add(self, *, code, name, kind, policy_pack, currency, time_zone, **_options):
        problems = []
        if not SLUG.fullmatch(code):
            problems.append(f"CODE: {code!r} is not a valid code (use letters, digits, - or _; at most 40)")
        elif Creditor.objects.filter(code=code).exists():
            problems.append(f"CODE: a creditor with code {code!r} already exists")
        if not name.strip():
            problems.append("--name: must not be empty")
        if kind not in CreditorKind.values:
            problems.append(f"--kind: unknown kind {kind!r} (choose {', '.join(CreditorKind.values)})")
        if policy_pack not in PolicyPack.values:
            problems.append(f"--policy: unknown policy pack {policy_pack!r} (choose {', '.join(PolicyPack.values)})")
        currency = currency.strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            problems.append(f"--currency: {currency!r} is not a three-letter ISO 4217 code")
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(f"--time-zone: unknown time zone {time_zone!r}")
        if problems:
            raise CommandError("creditor not added:\n  " + "\n  ".join(problems))
        try:
            creditor = add_creditor(None, code=code, name=name.strip(), kind=kind, policy_pack=policy_pack,
                                    currency=currency, time_zone=time_zone)
        except ValidationError as exc:
            lines = []
            for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                label = OPTION.get(field, field)
                lines += [f"{label}: {message}" for message in messages]
            raise CommandError("creditor not added:\n  " + "\n  ".join(lines))
        products = ", ".join(f"{p.code} ({p.name})" for p in creditor.products.order_by("code"))
        self.stdout.write(self.style.SUCCESS(f"added creditor {creditor.code} {creditor.name} "
                                             f"[{creditor.kind}, {creditor.policy_pack}] with products: {products}"))

    def _list(self):
        creditors = Creditor.objects.order_by("code").prefetch_related(
            Prefetch("products", queryset=Product.objects.order_by("code")))
        rows = [("code", "name", "kind", "policy pack", "currency", "time zone", "active", "products")]
        for c in creditors:
            rows.append((c.code, c.name, c.kind, c.policy_pack, c.currency, c.time_zone, "yes" if c.active else "no",
                         ", ".join(p.code for p in c.products.all()) or "—"))
        if len(rows) == 1:
            self.stdout.write("no creditors yet — add one with: concord creditor add CODE --name NAME "
                              "--kind bank --policy cn_bank")
            return
        for line in _table(rows):
            self.stdout.write(line)
