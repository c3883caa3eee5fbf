"""Champion/challenger arithmetic, against hand computations."""
from __future__ import annotations

import math

import pytest

from concord.strategy import arms


def test_mean_ci_by_hand():
    # values 2, 4, 6, 8: mean 5, sample variance (9+1+1+9)/3 = 20/3, s/√n = √(20/3)/2 = 1.29099…
    mean, lo, hi = arms.mean_ci([2, 4, 6, 8])
    assert mean == 5
    assert hi - mean == pytest.approx(1.959963984540054 * math.sqrt(20 / 3) / 2)
    assert (lo, hi) == pytest.approx((2.4697, 7.5303), abs=1e-4)
    assert arms.mean_ci([]) == (0.0, 0.0, 0.0) and arms.mean_ci([3]) == (3, 3, 3)


def test_ratio_ci_by_hand():
    # costs 1, 2, 3 against recoveries 10, 0, 20: R = 6/30 = 0.2; residuals 1−2, 2−0, 3−4 = −1, 2, −1;
    # Σ² = 6, /(n−1) = 3, /n = 1, √ = 1; d̄ = 10: half-width 1.96 · 1 / 10 = 0.196
    r, lo, hi = arms.ratio_ci([1, 2, 3], [10, 0, 20])
    assert r == pytest.approx(0.2)
    assert (lo, hi) == pytest.approx((0.2 - 0.1959964, 0.2 + 0.1959964), abs=1e-6)
    assert arms.ratio_ci([1, 2], [0, 0]) == (None, None, None)


def test_arm_of_is_reproducible_and_follows_the_shares():
    shares = [50, 30, 20]
    first = [arms.arm_of(42, c, shares) for c in range(20000)]
    assert first == [arms.arm_of(42, c, shares) for c in range(20000)]       # same seed and case: same arm
    assert first != [arms.arm_of(43, c, shares) for c in range(20000)]       # another experiment: another draw
    counts = [first.count(a) for a in range(3)]
    # binomial standard deviation at 20,000 draws is under 0.36 points: 2 points is far beyond chance
    assert [abs(c / 200 - s) < 2 for c, s in zip(counts, shares)] == [True, True, True]


def test_shares_are_checked():
    assert arms.check_shares([50, 50]) is None
    assert arms.check_shares([100]) == "arms"
    assert arms.check_shares([25, 25, 25, 15, 10]) == "arms"
    assert arms.check_shares([60, 30]) == "share_sum"
    assert arms.check_shares([100, 0]) == "share_range"
