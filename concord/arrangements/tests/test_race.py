"""Two approvals of one arrangement: exactly one wins.

On PostgreSQL two threads approve at the same moment (each with its own connection and transaction; the row lock
and the conditional UPDATE decide). On SQLite, which serialises writers, the same guarantee is checked with two
approvers each holding a copy of the arrangement read before either decided.
"""
import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from concord.arrangements import services
from concord.arrangements.models import Approval, Arrangement, ArrangementStatus
from concord.cases.models import Activity
from concord.core import clock


def _proposed(world):
    from concord.arrangements.tests.conftest import profile

    profile(world.cases["a"].debtor, "12000", "5000", "2500")
    return services.propose(world.users["col_a"], world.cases["a"], kind="instalment_plan", months=12,
                            discount_amount=Decimal("1600.00"), first_due=clock.today() + dt.timedelta(days=10),
                            reason="借款人失业后再就业，收入恢复")


def _assert_one_winner(arrangement, results):
    assert sorted(r for r, _ in results) == ["lost", "won"], results
    loser = next(detail for r, detail in results if r == "lost")
    assert "已被处理" in loser or "不在待审批状态" in loser
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.APPROVED
    assert Approval.objects.filter(arrangement=arrangement).count() == 1
    assert Activity.objects.filter(case=arrangement.case, kind="arrangement",
                                   details__decision="approve").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_arrangement_exactly_one_wins(monkeypatch):
    from concord.conftest import build_world

    world = build_world()
    arrangement = _proposed(world)
    assert arrangement.status == ArrangementStatus.PROPOSED
    results = []
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)
        original = services._check_approver

        def slow_check(actor, arr):  # hold the lock a moment so the other approver really waits on it
            limit = original(actor, arr)
            time.sleep(0.3)
            return limit

        monkeypatch.setattr(services, "_check_approver", slow_check)

        def approve(user):
            from django.db import connection as conn

            try:
                barrier.wait(timeout=10)
                services.approve(world.users[user], Arrangement.objects.get(pk=arrangement.pk), reason=f"{user} 同意")
                results.append(("won", user))
            except ValidationError as exc:
                results.append(("lost", " ".join(exc.messages)))
            finally:
                conn.close()

        threads = [threading.Thread(target=approve, args=(u,)) for u in ("manager", "admin")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
    else:
        stale = [Arrangement.objects.get(pk=arrangement.pk) for _ in range(2)]
        for user, copy in zip(("manager", "admin"), stale):
            try:
                services.approve(world.users[user], copy, reason=f"{user} 同意")
                results.append(("won", user))
            except ValidationError as exc:
                results.append(("lost", " ".join(exc.messages)))
    _assert_one_winner(arrangement, results)


@pytest.mark.django_db
def test_the_conditional_update_refuses_a_stale_transition(world):
    """Even past the row lock (as if it were not there), the status change only happens from the expected state."""
    arrangement = _proposed(world)
    Arrangement.objects.filter(pk=arrangement.pk).update(status=ArrangementStatus.REJECTED)
    with pytest.raises(ValidationError) as exc:
        services._transition(arrangement, ArrangementStatus.PROPOSED, ArrangementStatus.APPROVED)
    assert "已被处理" in exc.value.messages[0]
