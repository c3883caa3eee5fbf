"""Drift of a scorecard's population: the population stability index (PSI) of each characteristic and of the
score between the training window and a later day. Pure: no Django import.

PSI = Σ over bins (actual share − expected share) × ln(actual share / expected share), where the expected shares
are the training rows' (kept with the model, ``reference``) and the actual shares are the day's delinquent cases'.
A share of 0 is taken as ``EPSILON`` so that an empty bin counts without making the index infinite. Below 0.1 the
population is stable, 0.1–0.25 it has moved, past ``ALERT`` (0.25) the model no longer describes it.
"""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from .training import _columns, _shares, bin_index, score_rows

EPSILON = 1e-4
ALERT = 0.25


def psi(expected: list[float], actual: list[float]) -> float:
    if len(expected) != len(actual):
        raise ValueError(f"psi: {len(expected)} expected shares against {len(actual)} actual shares")
    total = 0.0
    for e, a in zip(expected, actual):
        e, a = max(float(e), EPSILON), max(float(a), EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def day_drift(model: dict, day_rows: pa.Table) -> dict:
    """``{"features": {char: psi}, "score": psi, "rows": n, "shares": {...}}`` for the cases of ``day_rows``
    (:func:`concord.scoring.features.day_features`) against the model's training reference."""
    n = day_rows.num_rows
    if n == 0:
        return {"rows": 0, "features": {}, "score": None, "shares": {}}
    cols = _columns(day_rows)
    bins, ref = model["bins"], model["reference"]
    out, shares = {}, {}
    for char, expected in ref["features"].items():
        actual = _shares(bin_index(bins, char, cols[char].astype(np.int64)), len(expected))
        shares[char] = actual
        out[char] = round(psi(expected, actual), 6)
    edges = ref["score"]["edges"]
    scores = score_rows(bins, cols, n)
    actual = _shares(np.searchsorted(edges, scores, side="right"), len(edges) + 1)
    shares["score"] = actual
    return {"rows": n, "features": out, "score": round(psi(ref["score"]["shares"], actual), 6), "shares": shares}
