"""``concord arrangements`` — the daily arrangement check and the creditors' approval limits.

    concord arrangements check [--day 2026-12-01] [--json]
    concord arrangements limits --creditor bank [--role team_lead --rate 0.15 --as manager]
    concord arrangements policy --creditor bank [--income-share 0.4] [--max-months 24] [--settlement-months 6] \
        [--grace-days 5] --as manager

``check`` breaks each active arrangement with an instalment unpaid after its grace days and completes each fully
paid one (releasing its compliance hold either way), one transaction per arrangement; it prints the counts.
``limits`` prints a creditor's discount limits per role, or sets one (as the named manager or admin user; the
change is audited). ``policy`` prints or changes a creditor's terms: the share of disposable income a monthly
amount may take, the longest term (never beyond the product's: 60 months for cards, 36 for online loans), the
longest settlement term and the grace days before an unpaid instalment breaks an arrangement. Bad input raises a ``CommandError`` naming the option.
"""
from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Arrangements: the daily check (break/complete) and approval limits."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="break unpaid arrangements after grace, complete paid ones")
        check.add_argument("--day", help="the day to check as (YYYY-MM-DD; default today)")
        check.add_argument("--json", action="store_true")
        limits = sub.add_parser("limits", help="show or set a creditor's approval limits")
        limits.add_argument("--creditor", required=True, help="creditor code")
        limits.add_argument("--role")
        limits.add_argument("--rate", help="largest discount as a fraction, e.g. 0.10")
        limits.add_argument("--as", dest="as_user", help="username of the manager/admin making the change")

        policy = sub.add_parser("policy", help="show or change a creditor's arrangement terms")
        policy.add_argument("--creditor", required=True, help="creditor code")
        policy.add_argument("--income-share", dest="income_share", help="e.g. 0.4 for 40%% of disposable income")
        for name in ("max-months", "settlement-months", "grace-days"):
            policy.add_argument(f"--{name}", dest=name.replace("-", "_"), type=int)
        policy.add_argument("--as", dest="as_user", help="username of the manager/admin making the change")

    def handle(self, *args, **options):
        if options["action"] == "check":
            return self._check(options)
        if options["action"] == "policy":
            return self._policy(options)
        return self._limits(options)

    def _creditor(self, code):
        from concord.creditors.models import Creditor

        creditor = Creditor.objects.filter(code=code).first()
        if creditor is None:
            raise CommandError(f"--creditor: no creditor with code {code!r}")
        return creditor

    def _actor(self, username):
        from concord.staff.models import User

        actor = User.objects.filter(username=username or "", is_active=True).first()
        if actor is None:
            raise CommandError(f"--as: no active user {username!r}")
        return actor

    def _policy(self, options):
        from concord.arrangements import authority

        creditor = self._creditor(options["creditor"])
        changes = {"income_share": options.get("income_share"), "max_months": options.get("max_months"),
                   "settlement_max_months": options.get("settlement_months"), "grace_days": options.get("grace_days")}
        if any(v is not None for v in changes.values()):
            actor = self._actor(options.get("as_user"))
            options_of = {"income_share": "--income-share", "max_months": "--max-months",
                          "settlement_max_months": "--settlement-months", "grace_days": "--grace-days"}
            try:
                authority.set_policy(actor, creditor, **changes)
            except ValidationError as exc:
                raise CommandError("; ".join(f"{options_of.get(k, '--as' if k == 'actor' else k)}: {' '.join(v)}"
                                             for k, v in exc.message_dict.items())) from None
        row = authority.policy_row(creditor)
        for field in ("income_share", "max_months", "settlement_max_months", "grace_days"):
            self.stdout.write(f"{field}\t{getattr(row, field)}")

    def _check(self, options):
        from concord.arrangements.tracking import check_arrangements

        day = None
        if options.get("day"):
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError(f"--day: not a date (YYYY-MM-DD): {options['day']!r}") from None
        result = check_arrangements(day)
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"checked {result['checked']}, completed {len(result['completed'])}, "
                              f"broken {len(result['broken'])}")

    def _limits(self, options):
        from concord.arrangements import authority

        creditor = self._creditor(options["creditor"])
        if options.get("role") or options.get("rate"):
            if not (options.get("role") and options.get("rate") and options.get("as_user")):
                raise CommandError("--role, --rate and --as are needed together to set a limit")
            actor = self._actor(options["as_user"])
            try:
                authority.set_approval_limit(actor, creditor, role=options["role"], max_discount_rate=options["rate"])
            except ValidationError as exc:
                raise CommandError("; ".join(f"--{k.replace('max_discount_rate', 'rate')}: {' '.join(v)}"
                                             for k, v in exc.message_dict.items())) from None
        for role, rate in sorted(authority.limits(creditor).items(), key=lambda kv: kv[1]):
            self.stdout.write(f"{role}\t{rate}")
