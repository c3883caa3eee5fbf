"""What a case's accounts add up to: one rule for every path that keeps a case's summary — the ledger's follower
(``cases.services.refresh_case_summary``), the placement import (``imports.placing``) and the end-of-day
write-back (``eod.writeback.case_plan``).

- the case's balance is the total balance of its **open** accounts, its DPD the worst DPD among them (0 when none
  is open) and its bucket that DPD's bucket (``delinquency.bucket``);
- an active case (new, open, on hold) that has accounts but none open any more is **settled** (closed today);
  a settled case with an open account again (a reversed payment, a re-placement) is **open** again; any other
  status is kept.

Pure: no Django. The status rule is small enough to hand to a columnar engine whole: :func:`status_table` is
:func:`next_status` evaluated over its entire domain, and the write-back looks statuses up in it instead of
re-stating the rule in Arrow expressions.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .delinquency import bucket

#: Every case status, and the ones still being worked (the cases app's ``CaseStatus`` has exactly these values).
CASE_STATUSES = ("new", "open", "on_hold", "settled", "recalled", "closed")
ACTIVE_CASE_STATUSES = ("new", "open", "on_hold")
SETTLED, OPEN = "settled", "open"
#: The account status whose balance and DPD count (``loans.models.AccountStatus.OPEN``).
OPEN_ACCOUNT = "open"


@dataclass(frozen=True)
class AccountFigures:
    status: str
    balance: Any       # Decimal yuan or integer fen: the sum keeps the type
    dpd: int


@dataclass(frozen=True)
class CaseSummary:
    total: Any
    max_dpd: int
    bucket: str
    status: str
    closed_on: dt.date | None


def next_status(status: str, *, any_open: bool, any_account: bool) -> str:
    """The case's status once its accounts are as given."""
    if status in ACTIVE_CASE_STATUSES and any_account and not any_open:
        return SETTLED
    if status == SETTLED and any_open:
        return OPEN
    return status


def closed_on(before: str, after: str, current: dt.date | None, today: dt.date) -> dt.date | None:
    """A case settled now closes today; one reopened is no longer closed; otherwise the date stays."""
    if after == before:
        return current
    if after == SETTLED:
        return today
    if before == SETTLED and after == OPEN:
        return None
    return current


def summarize(status: str, accounts: Iterable[AccountFigures], *, closed: dt.date | None, today: dt.date,
              zero: Any = 0) -> CaseSummary:
    """The summary of a case in ``status`` (closed on ``closed``) whose accounts are ``accounts``; ``zero`` is the
    total of no balance (``Decimal("0.00")`` for yuan)."""
    accounts = list(accounts)
    open_ = [a for a in accounts if a.status == OPEN_ACCOUNT]
    total = sum((a.balance for a in open_), zero)
    worst = max((a.dpd for a in open_), default=0)
    after = next_status(status, any_open=bool(open_), any_account=bool(accounts))
    return CaseSummary(total, worst, bucket(worst), after, closed_on(status, after, closed, today))


def status_table() -> dict[tuple[str, bool, bool], str]:
    """:func:`next_status` over its whole domain: (status, any open account, any account) → status after."""
    return {(s, o, a): next_status(s, any_open=o, any_account=a)
            for s in CASE_STATUSES for o in (False, True) for a in (False, True)}
