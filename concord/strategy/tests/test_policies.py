"""The default strategy's safeguards: the answer-rate fatigue and the self-cure it learns and its complaint budget,
which follows what a shadow of the baseline's calling would bring on the same book."""
from __future__ import annotations

import numpy as np
import pytest

from concord.strategy import policies
from concord.strategy import simulate as sim
from concord.strategy.population import parse
from concord.strategy.tests.test_simulate import small


def test_fatigue_is_learned_per_product_group_never_above_one_and_never_rising():
    d = policies.Default()
    # online loans (group 0): 40 % answer with no recent attempt, 20 % after one, 30 % after two (noise), 10 % after
    # three or more; credit cards (group 1): no fall at all.
    for k, rate in enumerate((0.4, 0.2, 0.3, 0.1, 0.1)):
        d._acc(("ans_f", 0, k), 10_000, 10_000 * rate)
        d._acc(("ans_f", 1, k), 10_000, 10_000 * 0.3)
    ci = np.array([0, 0, 0, 0, 0, 24, 24])          # cells 0–23 online loans, 24–47 cards
    attempts = np.array([0, 1, 2, 3, 9, 0, 6])
    f = d._fatigue(ci, attempts)
    assert np.allclose(f[:5], [1.0, 0.5, 0.5, 0.25, 0.25], atol=0.01)
    assert np.allclose(f[5:], 1.0, atol=0.01)
    # without any observation there is no effect
    assert np.allclose(policies.Default()._fatigue(ci, attempts), 1.0)


def run_default(pop, **kwargs):
    """Run the default strategy on ``pop``; returns the strategy object it ran with, the daily lines and the summary."""
    kept = []

    class Kept(sim.STRATEGIES["default"]):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            kept.append(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sim.STRATEGIES, "kept", Kept)
        lines, summary = sim.run(pop, strategy="kept", collectors=1, **kwargs)
    return kept[0], lines, summary


def test_complaint_budget_follows_the_shadow_of_baseline_calling_and_complaints_stay_below_it():
    data = small(800)
    for seg in data["segments"]:
        seg["complaint_per_conversation"] = 0.05
    pop = parse(data)
    d, lines, summary = run_default(pop, days=45, calls_per_collector=60, seed=3)
    # a budget every day from day 1, never above twice the day's share of the shadow's expected complaints
    assert len(d.budgets) == len(d.shadow_calls) == 45 and all(w > 0 for _b, w in d.budgets)
    assert all(b <= 2 * policies.COMPLAINT_BUDGET_SHARE * w + 1e-12 for b, w in d.budgets)
    # the budget binds: on some days it stops calling altogether, and complaints stay below the baseline's
    assert min(b for b, _w in d.budgets) <= 0
    assert summary["strategy"]["complaints"] <= summary["baseline"]["complaints"]
    assert d.complaints == summary["strategy"]["complaints"]
    # the shadow calls the same cases day after day: by the end they are at the top attempts level
    levels = d.shadow_calls[-1][0] % policies.FATIGUE_LEVELS
    assert levels.max() == policies.FATIGUE_LEVELS - 1
    assert summary["strategy"]["violations"] == 0


def test_the_shadow_counts_the_attempts_the_baseline_would_have_made():
    from types import SimpleNamespace

    n = 6
    held = np.array([False, False, False, False, False, True])        # case 5: held, never called nor messaged
    side = SimpleNamespace(book=SimpleNamespace(n=n, dpd0=np.array([5, 1, 9, 3, 7, 0])),
                           owed=np.full(n, 100), open=lambda: np.ones(n, bool), held=lambda day: held)
    d = policies.Default()
    cells = np.zeros(n, np.int64)
    for day in range(9):
        d.shadow_day(side, day, 2, cells)
    # the two lowest DPD not held (cases 1 and 3) are called every day: at the top level after four days
    keys, counts = d.shadow_calls[-1]
    assert keys.tolist() == [policies.FATIGUE_LEVELS - 1] and counts.tolist() == [2]
    keys, counts = d.shadow_calls[1]
    assert keys.tolist() == [1] and counts.tolist() == [2]
    # the rest get an SMS once a week: days 0 and 7
    assert d.shadow_last_sms.tolist() == [7, -10_000, 7, -10_000, 7, -10_000]
    assert np.sum(d.shadow_attempts, axis=0).tolist() == [1, 7, 1, 7, 1, 0]


def test_self_cure_is_learned_only_on_cases_without_a_contact_a_promise_or_a_plan():
    from types import SimpleNamespace

    from concord.strategy.world import Promise

    n = 7
    side = SimpleNamespace(
        book=SimpleNamespace(n=n),
        prev7=np.array([0, 2, 0, 0, 0, 0, 0]),                  # case 1: called in the 7 days before
        attempts_by_day=[np.array([0, 0, 1, 0, 0, 0, 0])],       # case 2: contacted today
        promises={3: Promise(amount=100, made=5, due=12, pays=100),                  # pending
                  4: Promise(amount=100, made=3, due=10, pays=100, state="kept"),     # kept today (pending at plan)
                  6: Promise(amount=100, made=1, due=8, pays=0, state="broken")},     # long over
        plans={5: [[40, 100, 0]]})                               # case 5: in an instalment plan
    d = policies.Default()
    d.bound = np.zeros(n, bool)
    d.bound[[3, 4]] = True                                       # what plan() saw at the day's start
    assert d.quiet(side, 10).tolist() == [True, False, False, False, False, False, True]


def test_a_conversations_payment_is_not_learned_as_self_cure():
    # a book where nobody pays on their own and a conversation often pays: the self-cure learned must stay ~0
    data = small(600)
    for seg in data["segments"]:
        seg["self_cure_daily"] = 0.0
        seg["pay_after_conversation"] = 0.5
        seg["pay_after_sms"] = 0.0
        seg["fatigue"] = 0.0
    pop = parse(data)
    # on this book the warm-up contacts every case at least weekly: the quiet cases come after it (days 42, 49)
    d, _lines, _summary = run_default(pop, days=50, calls_per_collector=60, seed=5)
    n, paid = d.stats[("cure", "all")]
    assert n >= 5 and paid == 0


def test_contacts_stay_within_what_baseline_like_contacting_would_make():
    assert policies.baseline_like_attempts(1_000, 80) == 80 + 920 / policies.SMS_INTERVAL_DAYS
    assert policies.baseline_like_attempts(50, 80) == 50
    # a book where every contact pays well and nothing complains: left alone, the strategy would contact every case
    data = small(800)
    for seg in data["segments"]:
        seg["pay_after_sms"] = 0.3
        seg["pay_after_letter"] = 0.3
        seg["complaint_per_conversation"] = 0.0
    pop = parse(data)
    d, lines, summary = run_default(pop, days=45, calls_per_collector=40, seed=4)
    made = [line["strategy"]["attempts"] for line in lines]
    assert d.attempts_made == sum(made) == summary["strategy"]["attempts"]
    # after the warm-up (which contacts as the baseline does, plus a few letters and visits) the allowance binds
    assert sum(made) <= d.attempt_allowance + max(made[30:])
    assert summary["strategy"]["attempts"] <= summary["baseline"]["attempts"]
