"""Champion/challenger arithmetic (docs/strategy.md "Champion/challenger"). Pure: no Django.

- :func:`arm_of`: a case's arm, drawn uniformly from a hash of the experiment's seed and the case id, so the same
  experiment assigns the same case to the same arm on any machine and in any order (reproducible, auditable).
- :func:`mean_ci`: a mean with its 95% confidence interval (normal approximation, sample standard deviation).
- :func:`ratio_ci`: a ratio of sums (cost per yuan recovered) with its 95% interval by the delta method.
"""
from __future__ import annotations

import hashlib
import math

Z95 = 1.959963984540054


def arm_of(seed: int, case_id: int, shares: list[int]) -> int:
    """The arm (index into ``shares``, whole percentages summing to 100) of ``case_id``."""
    digest = hashlib.sha256(f"{seed}:{case_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") % 10_000  # 0..9999: a basis point of the split
    edge = 0
    for arm, share in enumerate(shares):
        edge += share * 100
        if u < edge:
            return arm
    return len(shares) - 1


def check_shares(shares: list[int]) -> str | None:
    """The reason ``shares`` is not a valid split (champion first, 1–3 challengers), or None."""
    if not 2 <= len(shares) <= 4:
        return "arms"
    if any(not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 99 for s in shares):
        return "share_range"
    if sum(shares) != 100:
        return "share_sum"
    return None


def mean_ci(values: list[float]) -> tuple[float, float, float]:
    """``(mean, low, high)``; the interval is ``mean ± 1.96·s/√n`` (``s`` the sample standard deviation); with
    fewer than two values the interval is the mean itself."""
    n = len(values)
    if n == 0:
        return 0.0, 0.0, 0.0
    mean = sum(values) / n
    if n < 2:
        return mean, mean, mean
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = Z95 * math.sqrt(var / n)
    return mean, mean - half, mean + half


def ratio_ci(num: list[float], den: list[float]) -> tuple[float | None, float | None, float | None]:
    """``sum(num) / sum(den)`` over paired per-case values, with the delta-method 95% interval:
    ``R ± 1.96·√(Σ(nᵢ − R·dᵢ)² / (n(n−1))) / mean(d)``. None when nothing was recovered."""
    n = len(num)
    total_d = sum(den)
    if n == 0 or total_d == 0:
        return None, None, None
    r = sum(num) / total_d
    if n < 2:
        return r, r, r
    dbar = total_d / n
    resid = sum((a - r * b) ** 2 for a, b in zip(num, den)) / (n - 1)
    half = Z95 * math.sqrt(resid / n) / dbar
    return r, r - half, r + half
