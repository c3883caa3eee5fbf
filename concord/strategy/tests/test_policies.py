"""The default strategy's safeguards: the answer-rate fatigue it learns and its complaint budget, which follows
what baseline-like calling would bring and never rises above the warm-up's."""
from __future__ import annotations

import numpy as np

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


def test_complaint_budget_never_above_the_warm_ups_and_complaints_held(monkeypatch):
    data = small(800)
    for seg in data["segments"]:
        seg["complaint_per_conversation"] = 0.05
    pop = parse(data)
    kept = []

    class Kept(sim.STRATEGIES["default"]):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            kept.append(self)

    monkeypatch.setitem(sim.STRATEGIES, "kept", Kept)
    lines, summary = sim.run(pop, strategy="kept", days=45, collectors=1, calls_per_collector=60, seed=3)
    d = kept[0]
    assert len(d.budgets) == 15 and all(w > 0 for _b, w in d.budgets)
    assert all(0 <= b <= policies.COMPLAINT_BUDGET_SHARE * w + 1e-12 for b, w in d.budgets)
    assert 0 < sum(d.steady_conversations.values()) < sum(d.warm_conversations.values())
    daily = [b for b, _w in d.budgets]
    after = sum(line["strategy"]["complaints"] for line in lines[30:])
    # what really happened after the warm-up stays within the budget so far plus one day's overshoot
    assert after <= sum(daily) + 2 * max(daily) + 1
    assert summary["strategy"]["violations"] == 0
