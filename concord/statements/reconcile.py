"""Reconciliation (对账): the creditor's payment file for a month against Concord's payments of that month.

The file is read by the payment import's own reader and checks (same columns, encodings, mapping profile): rows that
cannot be read are listed with their reason and left out. A reversal row (冲正) takes the payment it names out of the
creditor's side. Rows dated outside the month are ignored.

Pairing, in order: the same transaction reference (交易流水号) — *matched* when the amounts agree, else *amount
differs*; then, among the rest, the same account and day with the same amount (*matched*), then the same account
and day (*amount differs*); what is left is *only theirs* or *only ours*. Every item but a match is a difference to
resolve with a note.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from concord.imports import payments as payment_rows
from concord.imports.services import load_profile

from .models import DifferenceKind


@dataclass
class Side:
    account: str
    reference: str
    day: dt.date
    amount: Decimal
    payment_id: int | None = None


@dataclass
class Pair:
    kind: str
    theirs: Side | None
    ours: Side | None


def read_theirs(creditor, path: Path, month: dt.date, *, today: dt.date, encoding=None) -> tuple[list[Side], list, int]:
    """The creditor's payments of ``month`` from the file, the rows rejected ``[(row, reason)]``, and the row count."""
    from .compute import next_month
    zone = ZoneInfo(creditor.time_zone)
    parsed = payment_rows.parse_file(path, today=today, encoding=encoding, profile=load_profile(creditor, "payments"))
    sides, reversed_refs, rejected, count = [], set(), [], 0
    for result in parsed:
        count += 1
        if not result.ok:
            rejected.append([result.row_number, "；".join(str(p.message) for p in result.errors) or _("无法读取")])
            continue
        record = result.record
        if record.is_reversal:
            reversed_refs.add(record.original_reference)
            continue
        day = record.paid_at.astimezone(zone).date()
        if month <= day < next_month(month):
            sides.append(Side(record.account_reference, record.external_reference, day, record.amount))
    return [s for s in sides if s.reference not in reversed_refs], rejected, count


def pair(theirs: list[Side], ours: list[Side]) -> list[Pair]:
    """Pair the two sides (see the module). Pure."""
    out: list[Pair] = []
    left = list(ours)
    rest: list[Side] = []
    by_ref = {}
    for o in left:
        if o.reference:
            by_ref.setdefault(o.reference, o)
    used: set[int] = set()
    for t in theirs:
        o = by_ref.get(t.reference) if t.reference else None
        if o is not None and id(o) not in used:
            used.add(id(o))
            out.append(Pair(DifferenceKind.MATCHED if o.amount == t.amount else DifferenceKind.AMOUNT, t, o))
        else:
            rest.append(t)
    left = [o for o in left if id(o) not in used]
    unmatched: list[Side] = []
    for t in rest:
        same_day = [o for o in left if o.account == t.account and o.day == t.day]
        exact = next((o for o in same_day if o.amount == t.amount), None)
        chosen = exact or (same_day[0] if same_day else None)
        if chosen is None:
            unmatched.append(t)
            continue
        left.remove(chosen)
        out.append(Pair(DifferenceKind.MATCHED if exact else DifferenceKind.AMOUNT, t, chosen))
    out += [Pair(DifferenceKind.THEIRS_ONLY, t, None) for t in unmatched]
    out += [Pair(DifferenceKind.OURS_ONLY, None, o) for o in left]
    return out
