"""``concord loan`` — loan arithmetic from the command line (no database needed).

    concord loan schedule --method equal_installment --principal 1000000 --annual-rate 0.049 \
        --months 360 --start 2026-01-15 [--json]
    concord loan minimum --balance 15450 --fees-interest 450 [--rate 0.10] [--floor 0] [--json]

``schedule`` prints the repayment schedule as a table, or with ``--json`` an object
``{"method", "principal", "annual_rate", "months", "start", "rows": [...], "totals": {...}}`` whose amounts are
strings such as ``"5307.27"``. ``minimum`` prints a credit card's minimum payment. Bad input raises a
``CommandError`` naming the option (exit status 1).
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from concord.core import clock
from concord.core.money import to_decimal, to_money
from concord.loans.schedule import (
    MAX_MONTHS,
    RepaymentMethod,
    build_schedule,
    card_minimum_payment,
)

METHODS = [m.value for m in RepaymentMethod]


def _money_option(option: str, text: str, *, allow_zero: bool = False) -> Decimal:
    try:
        value = to_decimal(text, option)
    except (TypeError, ValueError):
        raise CommandError(f"{option}: not a number: {text!r}") from None
    if value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "greater than 0"
        raise CommandError(f"{option}: must be {bound}, got {text}")
    if value != to_money(value):
        raise CommandError(f"{option}: at most two decimal places (whole fen), got {text}")
    return to_money(value)


def _rate_option(option: str, text: str, *, upper_inclusive: bool = False) -> Decimal:
    try:
        value = to_decimal(text, option)
    except (TypeError, ValueError):
        raise CommandError(f"{option}: not a number: {text!r}") from None
    ok = 0 <= value <= 1 if upper_inclusive else 0 <= value < 1
    if not ok:
        interval = "[0, 1]" if upper_inclusive else "[0, 1)"
        raise CommandError(f"{option}: must be in {interval} (a fraction, e.g. 0.049 for 4.9%), got {text}")
    return value


def _months_option(text: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise CommandError(f"--months: not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_MONTHS:
        raise CommandError(f"--months: must be between 1 and {MAX_MONTHS}, got {value}")
    return value


def _date_option(text: str | None) -> dt.date:
    if text is None:
        return clock.today()
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"--start: not a valid date (expected YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Loan arithmetic: repayment schedules and credit-card minimum payments."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{schedule,minimum}")

        sched = sub.add_parser("schedule", help="Print the repayment schedule of a fixed-term loan.")
        sched.add_argument("--method", required=True, choices=METHODS,
                           help="equal_installment (等额本息), equal_principal (等额本金), "
                                "interest_only (先息后本), bullet (一次性还本付息)")
        sched.add_argument("--principal", help="loan amount in yuan, e.g. 1000000")
        sched.add_argument("--annual-rate", help="annual interest rate as a fraction, e.g. 0.049")
        sched.add_argument("--months", help=f"term in months, 1..{MAX_MONTHS}")
        sched.add_argument("--start", help="loan start date YYYY-MM-DD (default: today)")
        sched.add_argument("--json", action="store_true", help="print JSON instead of a table")

        minimum = sub.add_parser("minimum", help="Print a credit card's minimum payment.")
        minimum.add_argument("--balance", required=True, help="statement balance in yuan")
        minimum.add_argument("--fees-interest", default="0", help="fees and interest in the balance (default 0)")
        minimum.add_argument("--principal-part", help="statement principal (default: balance − fees/interest)")
        minimum.add_argument("--rate", default="0.10", help="share of the principal due (default 0.10)")
        minimum.add_argument("--floor", default="0", help="lowest minimum payment in yuan (default 0)")
        minimum.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        if options["action"] == "schedule":
            return self._schedule(options)
        return self._minimum(options)

    # --- schedule -------------------------------------------------------------------------------------

    def _schedule(self, options):
        method = options["method"]
        if method == RepaymentMethod.REVOLVING.value:
            raise CommandError("--method revolving: credit cards have no fixed schedule; "
                               "use `concord loan minimum --balance ... --fees-interest ...` instead")
        missing = [o for o, k in (("--principal", "principal"), ("--annual-rate", "annual_rate"),
                                  ("--months", "months")) if options[k] is None]
        if missing:
            raise CommandError(f"{missing[0]}: required for a schedule (missing: {', '.join(missing)})")
        principal = _money_option("--principal", options["principal"])
        rate = _rate_option("--annual-rate", options["annual_rate"])
        months = _months_option(options["months"])
        start = _date_option(options["start"])
        try:
            rows = build_schedule(method, principal, rate, months, start)
        except (TypeError, ValueError) as exc:  # defensive: the checks above should have caught it
            raise CommandError(str(exc)) from None

        totals = {
            "principal": str(sum((r.principal for r in rows), Decimal("0.00"))),
            "interest": str(sum((r.interest for r in rows), Decimal("0.00"))),
            "total": str(sum((r.total for r in rows), Decimal("0.00"))),
        }
        if options["json"]:
            self.stdout.write(json.dumps({
                "method": method, "principal": str(principal), "annual_rate": str(rate), "months": months,
                "start": start.isoformat(), "rows": [r.as_dict() for r in rows], "totals": totals,
            }, ensure_ascii=False, indent=2))
            return

        self.stdout.write(f"{method}  principal {principal}  annual rate {rate}  {months} months  "
                          f"start {start.isoformat()}")
        header = ("No.", "Due date", "Principal", "Interest", "Total", "Remaining")
        columns = ("number", "due_date", "principal", "interest", "total", "remaining")
        body = [tuple(str(r.as_dict()[c]) for c in columns) for r in rows]
        footer = ("Total", "", totals["principal"], totals["interest"], totals["total"], "")
        widths = [max(len(row[i]) for row in [header, *body, footer]) for i in range(len(header))]

        def line(cells):
            return "  ".join(c.rjust(w) if i != 1 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        rule = "  ".join("-" * w for w in widths)
        self.stdout.write(line(header))
        self.stdout.write(rule)
        for row in body:
            self.stdout.write(line(row))
        self.stdout.write(rule)
        self.stdout.write(line(footer))

    # --- minimum --------------------------------------------------------------------------------------

    def _minimum(self, options):
        balance = _money_option("--balance", options["balance"], allow_zero=True)
        fees = _money_option("--fees-interest", options["fees_interest"], allow_zero=True)
        principal_part = None
        if options["principal_part"] is not None:
            principal_part = _money_option("--principal-part", options["principal_part"], allow_zero=True)
        rate = _rate_option("--rate", options["rate"], upper_inclusive=True)
        floor = _money_option("--floor", options["floor"], allow_zero=True)
        if fees > balance:
            raise CommandError(f"--fees-interest: cannot exceed --balance ({fees} > {balance})")
        try:
            minimum = card_minimum_payment(balance, principal_part=principal_part, fees_and_interest=fees,
                                           rate=rate, floor=floor)
        except (TypeError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps({"balance": str(balance), "fees_interest": str(fees),
                                          "rate": str(rate), "floor": str(floor),
                                          "minimum_payment": str(minimum)}))
        else:
            self.stdout.write(f"Minimum payment: {minimum}  (balance {balance}, fees and interest {fees}, "
                              f"rate {rate}, floor {floor})")
