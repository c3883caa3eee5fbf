"""A small history for the report pages' tests: the ``world`` book through two month ends with payments by both teams
and a promise kept, two calls of team A (tests only; imported by the page and browser tests)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

#: The instant the report tests run at (after the December month end).
NOW = "2027-01-04T10:00:00+08:00"


def world_with_history():
    """The ``world`` book set up on 2026-11-20 (its assignments start then), and its history (``build_history``)."""
    import time_machine

    from concord.conftest import build_world

    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 11, 20, 9)), tick=True):
        world = build_world()
    build_history(world)
    return world


def build_history(world) -> None:
    import time_machine

    from concord.compliance import services as compliance
    from concord.eod import adapter
    from concord.loans import services as loans
    from concord.loans.models import LoanAccount
    from concord.workbench.promises import record_promise

    adapter.run_eod(dt.date(2026, 11, 30))
    col_a, case_a = world.users["col_a"], world.cases["a"]
    for kind in ("pre_job_training", "pre_job_exam"):
        compliance.record_qualification(None, user=col_a, kind=kind, passed_on=dt.date(2026, 6, 1))
    for minute, outcome in ((0, "conversation"), (30, "no_answer")):
        at = timezone.make_aware(dt.datetime(2026, 12, 2, 10, minute))
        decision = compliance.decide_contact(col_a, case=case_a, channel="call", number="13812348000", at=at)
        compliance.record_contact_outcome(col_a, decision, outcome=outcome, at=at + dt.timedelta(minutes=5))
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 2, 11)), tick=True):
        record_promise(col_a, case_a, amount=Decimal("400.00"), due_date=dt.date(2026, 12, 5))
    for ref, amount, day in (("CARD-0001", "400.00", 3), ("LOAN-0002", "250.00", 4), ("CARD-0001", "100.00", 9)):
        with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, day, 12)), tick=True):  # keeps the promise
            loans.record_payment(None, account=LoanAccount.objects.get(reference=ref), amount=Decimal(amount),
                                 channel="bank_transfer", paid_at=timezone.make_aware(dt.datetime(2026, 12, day, 10)),
                                 external_reference=f"T-{ref}-{day}")
    adapter.run_eod(dt.date(2026, 12, 31))
