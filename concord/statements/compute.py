"""A creditor's statement for a month: its lines and totals.

Lines of an open (not frozen) month are computed from the ledger:

- **payments**: every payment on the creditor's accounts made in the month (the creditor's time zone), not reversed;
- **adjustments**, only in the first month after the latest frozen statement (approved or closed): a payment made in
  a frozen month that no frozen statement holds (recorded late: *backdated*), and the reversal of a payment a frozen
  statement holds (*reversal*, its amount and commission negative, the rule of the original line).

Commission per payment by :mod:`concord.creditors.commission` under the terms of the batch that held the account
when it was paid (the creditor's default terms for an account in no batch); the bucket is the account's bucket at
placement; a payment is a legal-track recovery when the case was in the legal track that day; the sliding tiers use
the batch's recovery rate at the end of the statement's month. A payment on an account of a batch made outside its
placement (before it, or after its recall) earns nothing (rule ``not placed``). A frozen statement's lines are read as stored.

Totals: ``payments`` (count of payment lines), ``collected`` (their amount), ``adjustments`` (amount of the
adjustment lines), ``commission`` (all lines), ``remit`` = what the agency itself collected (payments and
adjustments not paid directly to the creditor) less the commission.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from concord.core import clock
from concord.creditors.commission import Terms, commission, parse_terms
from concord.creditors.models import PlacementAccount
from concord.legal.models import LegalCase
from concord.loans.models import Payment, PaymentChannel
from concord.placements.selectors import batch_figures

from .models import FROZEN, LineKind, Statement, StatementLine

ZERO = Decimal("0.00")


@dataclass
class Line:
    payment_id: int
    kind: str
    account: str
    paid_on: dt.date
    amount: Decimal
    channel: str
    direct: bool
    commission: Decimal
    rule: str
    placement_id: int | None = None

    @property
    def channel_label(self) -> str:
        return str(PaymentChannel(self.channel).label) if self.channel in PaymentChannel.values else self.channel

    def as_json(self) -> dict:
        rule = self.rule if self.kind == LineKind.PAYMENT else f"{self.kind}: {self.rule}"
        return {"account": self.account, "date": self.paid_on.isoformat(), "amount": str(self.amount),
                "commission": str(self.commission), "rule": rule}


@dataclass
class Summary:
    payments: int
    collected: Decimal
    commission: Decimal
    adjustments: Decimal
    remit: Decimal

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def summarize(lines: list[Line]) -> Summary:
    pays = [l for l in lines if l.kind == LineKind.PAYMENT]
    adjustments = [l for l in lines if l.kind != LineKind.PAYMENT]
    own = sum((l.amount for l in lines if not l.direct), ZERO)
    fee = sum((l.commission for l in lines), ZERO)
    return Summary(payments=len(pays), collected=sum((l.amount for l in pays), ZERO), commission=fee,
                   adjustments=sum((l.amount for l in adjustments), ZERO), remit=own - fee)


def month_start(month: dt.date) -> dt.date:
    return month.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → its first day (ValueError otherwise)."""
    return dt.datetime.strptime(text.strip(), "%Y-%m").date()


class _Pricer:
    """Commission of payments of one creditor for a statement month (caches terms, batch rates, legal periods)."""

    def __init__(self, creditor, month: dt.date):
        self.creditor, self.month = creditor, month
        self.zone = ZoneInfo(creditor.time_zone)
        self.default = parse_terms(creditor.commission_terms)
        self.terms: dict[int, Terms] = {}
        self.rates: dict[int, Decimal] = {}

    def prepare(self, payments: list[Payment]) -> None:
        ids = {p.account_id for p in payments}
        self.rows: dict[int, list[PlacementAccount]] = {}
        for row in PlacementAccount.objects.filter(account_id__in=ids).select_related("placement", "placement__creditor"):
            self.rows.setdefault(row.account_id, []).append(row)
        self.legal: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        cases = {p.account.case_id for p in payments if p.account.case_id}
        for case_id, opened, closed in LegalCase.objects.filter(case_id__in=cases).values_list(
                "case_id", "opened_on", "closed_on"):
            self.legal.setdefault(case_id, []).append((opened, closed))

    def day(self, payment: Payment) -> dt.date:
        return payment.paid_at.astimezone(self.zone).date()

    def _row(self, payment: Payment, day: dt.date) -> PlacementAccount | None:
        found = None
        for row in self.rows.get(payment.account_id, []):
            if row.placement.placed_on <= day and (row.recalled_on is None or day <= row.recalled_on):
                if found is None or row.placement.placed_on > found.placement.placed_on:
                    found = row
        return found

    def _rate(self, placement) -> Decimal:
        if placement.pk not in self.rates:
            self.rates[placement.pk] = batch_figures(placement, clock.today(), until=month_end(self.month)).recovery_rate
        return self.rates[placement.pk]

    def line(self, payment: Payment, kind: str) -> Line:
        day = self.day(payment)
        row = self._row(payment, day)
        if row is not None:
            if row.placement_id not in self.terms:
                self.terms[row.placement_id] = parse_terms(row.placement.commission_terms)
            terms, bucket = self.terms[row.placement_id], row.bucket
        elif self.rows.get(payment.account_id):   # placed, but not that day (before, or after its recall)
            return Line(payment.pk, kind, payment.account.reference, day, payment.amount, payment.channel,
                        payment.channel == PaymentChannel.CREDITOR_DIRECT, ZERO, "not placed", None)
        else:
            terms, bucket = self.default, payment.account.bucket
        legal = any(o <= day and (c is None or day <= c) for o, c in self.legal.get(payment.account.case_id, []))
        direct = payment.channel == PaymentChannel.CREDITOR_DIRECT
        rate = self._rate(row.placement) if row is not None and terms.tiers else ZERO
        c = commission(terms, amount=payment.amount, bucket=bucket, legal=legal, direct=direct, recovery_rate=rate)
        return Line(payment.pk, kind, payment.account.reference, day, payment.amount, payment.channel, direct,
                    c.amount, c.rule, row.placement_id if row is not None else None)


def _bounds(creditor, first: dt.date, last_exclusive: dt.date):
    return clock.day_start(first, ZoneInfo(creditor.time_zone)), clock.day_start(last_exclusive,
                                                                                  ZoneInfo(creditor.time_zone))


def latest_frozen(creditor) -> Statement | None:
    return Statement.objects.filter(creditor=creditor, status__in=FROZEN).order_by("-month").first()


def stored_lines(statement: Statement) -> list[Line]:
    return [Line(l.payment_id, l.kind, l.account_reference, l.paid_on, l.amount, l.channel, l.direct, l.commission,
                 l.rule, l.placement_id) for l in statement.lines.order_by("id")]


def compute_lines(creditor, month: dt.date) -> list[Line]:
    """The lines of ``month`` from the ledger as it stands (see the module)."""
    month = month_start(month)
    start, end = _bounds(creditor, month, next_month(month))
    pricer = _Pricer(creditor, month)
    payments = list(Payment.objects.filter(creditor=creditor, paid_at__gte=start, paid_at__lt=end,
                                           reversed_at__isnull=True)
                    .select_related("account").order_by("paid_at", "id"))
    backdated, reversals = [], []
    frozen = latest_frozen(creditor)
    if frozen is not None and next_month(frozen.month) == month:
        first = Statement.objects.filter(creditor=creditor, status__in=FROZEN).order_by("month").first()
        held = StatementLine.objects.filter(statement__status__in=FROZEN, statement__creditor=creditor)
        taken = set(held.filter(kind__in=[LineKind.PAYMENT, LineKind.BACKDATED]).values_list("payment_id", flat=True))
        reversed_already = set(held.filter(kind=LineKind.REVERSAL).values_list("payment_id", flat=True))
        first_start, _e = _bounds(creditor, first.month, first.month)
        backdated = list(Payment.objects.filter(creditor=creditor, paid_at__gte=first_start, paid_at__lt=start,
                                                reversed_at__isnull=True).exclude(pk__in=taken)
                         .select_related("account").order_by("paid_at", "id"))
        originals = {l.payment_id: l for l in held.filter(kind__in=[LineKind.PAYMENT, LineKind.BACKDATED])}
        for payment in (Payment.objects.filter(pk__in=taken, reversed_at__isnull=False).exclude(pk__in=reversed_already)
                        .select_related("account").order_by("reversed_at", "id")):
            o = originals[payment.pk]
            reversals.append(Line(payment.pk, LineKind.REVERSAL, o.account_reference, o.paid_on, -o.amount, o.channel,
                                  o.direct, -o.commission, o.rule, o.placement_id))
    pricer.prepare(payments + backdated)
    lines = [pricer.line(p, LineKind.PAYMENT) for p in payments]
    lines += [pricer.line(p, LineKind.BACKDATED) for p in backdated]
    return lines + reversals


def statement_lines(creditor, month: dt.date) -> tuple[Statement | None, list[Line]]:
    """The month's statement row (None when never acted on) and its lines: stored when frozen, else computed."""
    statement = Statement.objects.filter(creditor=creditor, month=month_start(month)).first()
    if statement is not None and statement.frozen:
        return statement, stored_lines(statement)
    return statement, compute_lines(creditor, month)

