"""Pairing the creditor's payments with Concord's (pure), checked by hand."""
import datetime as dt
from decimal import Decimal as D

from concord.statements.reconcile import Side, pair

DAY = dt.date(2026, 10, 5)


def kinds(pairs):
    return sorted((p.kind, (p.theirs or p.ours).reference) for p in pairs)


def test_by_reference_then_account_day_and_amount():
    theirs = [Side("A1", "R1", DAY, D("100")),            # same reference, same amount → matched
              Side("A1", "R2", DAY, D("60")),             # same reference, other amount → amount
              Side("A2", "X9", DAY, D("30")),             # no reference match; same account, day, amount → matched
              Side("A3", "X8", DAY, D("45")),             # same account and day, other amount → amount
              Side("A4", "X7", DAY, D("10"))]             # nothing → only theirs
    ours = [Side("A1", "R1", DAY, D("100"), 1), Side("A1", "R2", DAY, D("50"), 2), Side("A2", "O3", DAY, D("30"), 3),
            Side("A3", "O4", DAY, D("40"), 4), Side("A5", "O5", DAY, D("70"), 5)]
    assert kinds(pair(theirs, ours)) == [("amount", "R2"), ("amount", "X8"), ("matched", "R1"), ("matched", "X9"),
                                         ("ours_only", "O5"), ("theirs_only", "X7")]


def test_one_of_ours_pairs_once():
    theirs = [Side("A1", "R1", DAY, D("100")), Side("A1", "R1", DAY, D("100"))]
    ours = [Side("A1", "R1", DAY, D("100"), 1)]
    assert kinds(pair(theirs, ours)) == [("matched", "R1"), ("theirs_only", "R1")]
