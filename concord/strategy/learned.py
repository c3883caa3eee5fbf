"""The scoring app's scorecards, trained inside the simulator on the simulated daily history. Pure: no Django.

``train_models(store, start, warm_up)`` builds the modelling tables of ``paid_30d`` (a payment within 30 days) and
``self_cure_30d`` (a payment within 30 days before any outbound contact) with ``concord.scoring.features`` over
the history the simulator wrote (``concord.strategy.history``), observation days every day of the warm-up whose
30-day outcome is already known, and fits each with ``concord.scoring.training.train`` — the same binning, logistic
regression, points and time-based hold-out as production's trainer. ``probability(model, columns)`` scores the
day's cases with the integer scorecard (``training.score_rows``, the mirror of the end-of-day run's expression) and
turns the points back into a probability by the scorecard's scaling (score = base + pdo/ln 2 × ln odds).
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np

from concord.reports.store import HistoryStore
from concord.scoring import features, training

TARGETS = ("paid_30d", "self_cure_30d")


def ready(start: dt.date, today: dt.date) -> bool:
    """Whether the history up to ``today`` knows the 30-day outcome of at least two observation days (the
    trainer's time-based hold-out needs two)."""
    return (today - start).days >= features.HORIZON + 1


def train_models(store: HistoryStore, start: dt.date, last_observation: dt.date, *, seed: int = 7) -> dict:
    """``{target: model}`` (``training.train``'s model as data) for ``TARGETS``; a target the history cannot
    train (too few events, no separating characteristic) is left out with its reason in ``model["error"]``."""
    con = store.connect()
    out = {}
    try:
        for target in TARGETS:
            try:
                table = features.modelling_table(con, target, start, last_observation, every=1)
                out[target] = training.train(table, target, seed=seed)
            except (features.NoData, training.TrainingError) as exc:
                out[target] = {"target": target, "error": str(exc)}
    finally:
        con.close()
    return out


def probability(model: dict, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Each case's probability of the model's event from its scorecard points."""
    n = len(next(iter(columns.values())))
    score = training.score_rows(model["bins"], columns, n).astype(float)
    scaling = model["scaling"]
    logit = (score - scaling["base_score"]) * math.log(2) / scaling["pdo"]
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))


def summary(models: dict) -> dict:
    """What the run reports of each model: hold-out AUC and Gini of the scorecard, rows, characteristics."""
    out = {}
    for target, m in models.items():
        if "error" in m:
            out[target] = {"error": m["error"]}
            continue
        v = m["validation"]
        out[target] = {"rows": v["rows"], "features": m["features"], "holdout_auc": v["scorecard"]["holdout"]["auc"],
                       "holdout_gini": v["scorecard"]["holdout"]["gini"],
                       "event_rate": v["event_rate_train"]}
    return out
