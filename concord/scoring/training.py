"""Training a scorecard on the modelling table (:mod:`concord.scoring.features`). Pure: no Django import.

1. **Hold-out by time.** The observation days are sorted; the last ``holdout`` share of them is the hold-out, the
   rest the training set (no case-day of the hold-out is seen in training).
2. **Binning** — optbinning's ``OptimalBinning`` per scorecard characteristic on the training rows: at most
   ``max_bins`` bins of at least ``min_bin_share`` of the rows, event rates monotonic (ascending or descending,
   whichever fits: ``auto_asc_desc``). The split points become integer bounds (``lower <= x < upper``; every
   characteristic is an integer, so ``x < 30.5`` is ``x < 31``). Characteristics whose information value is below
   ``min_iv`` are left out.
3. **Logistic regression** on the weights of evidence (WoE = ln(non-event share / event share) of the bin). A
   characteristic whose coefficient comes out with the wrong sign (collinearity) is left out and the model fitted
   again.
4. **Points.** score = ``base_score`` + ``pdo``/ln 2 × ln(odds of the event); each bin's points are the rounded
   share of its characteristic, the intercept goes to the ``base`` row. A higher score means the event (a payment,
   a kept promise, a self-cure) is more likely. The scorecard is data in the end-of-day run's shape —
   ``[characteristic, lower, upper, points]`` rows (null: open end) — so the engine compiles it as it compiles the
   expert scorecard.
5. **Validation** on the hold-out: AUC, KS and Gini of the integer scorecard (the score the run computes) and of a
   LightGBM challenger trained on the same rows with the extra features.
6. **Reference distributions** for drift: each characteristic's share of training rows per bin, and the score's
   share per band (deciles of the training scores).
"""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from .features import FEATURES, SCORECARD_FEATURES


class TrainingError(ValueError):
    pass


DEFAULTS = {"holdout": 0.3, "max_bins": 6, "min_bin_share": 0.05, "min_iv": 0.02, "base_score": 600, "pdo": 40,
            "seed": 7}


# -- the scorecard as data ----------------------------------------------------------------------------------------
def score_rows(bins: list, columns: dict[str, np.ndarray], n: int) -> np.ndarray:
    """The score of each row: the mirror in numpy of ``concord.eod.rules.compile_scorecard`` (``lower <= x <
    upper``, a value in no bin scores 0)."""
    total = np.zeros(n, np.int64)
    for char, lower, upper, points in bins:
        if char == "base":
            total += points
            continue
        x = np.asarray(columns[char])
        hit = np.ones(n, bool)
        if lower is not None:
            hit &= x >= lower
        if upper is not None:
            hit &= x < upper
        total += np.where(hit, points, 0)
    return total


def bin_index(bins: list, char: str, x: np.ndarray) -> np.ndarray:
    """For each value, the position of its bin among ``char``'s bins (−1: in none)."""
    out = np.full(len(x), -1, np.int64)
    for k, (c, lower, upper, _p) in enumerate(b for b in bins if b[0] == char):
        hit = np.ones(len(x), bool)
        if lower is not None:
            hit &= x >= lower
        if upper is not None:
            hit &= x < upper
        out = np.where((out < 0) & hit, k, out)
    return out


def reason_codes(bins: list, values: dict, n: int = 3) -> list[str]:
    """The characteristics that cost the case most points against the best bin of each (the reason codes of a
    low score), largest loss first; characteristics at their best bin give no reason."""
    best: dict[str, int] = {}
    got: dict[str, int] = {}
    for char, lower, upper, points in bins:
        if char == "base":
            continue
        best[char] = max(best.get(char, points), points)
        x = values[char]
        if (lower is None or x >= lower) and (upper is None or x < upper):
            got[char] = points
    losses = sorted(((best[c] - got.get(c, 0), c) for c in best), key=lambda t: (-t[0], t[1]))
    return [c for loss, c in losses if loss > 0][:n]


def explain(bins: list, values: dict) -> dict:
    """A case's score in parts: the base, each characteristic's value, bin and points, and its reason codes."""
    parts = []
    for char in dict.fromkeys(b[0] for b in bins if b[0] != "base"):
        x = values[char]
        hit = next(((lo, up, p) for c, lo, up, p in bins
                    if c == char and (lo is None or x >= lo) and (up is None or x < up)), (None, None, 0))
        parts.append({"characteristic": char, "value": x, "lower": hit[0], "upper": hit[1], "points": hit[2]})
    base = sum(b[3] for b in bins if b[0] == "base")
    return {"base": base, "score": base + sum(p["points"] for p in parts), "parts": parts,
            "reasons": reason_codes(bins, values)}


# -- metrics --------------------------------------------------------------------------------------------------------
def metrics(y: np.ndarray, score: np.ndarray) -> dict:
    """AUC, KS and Gini of ``score`` (higher = more likely event) against the 0/1 outcomes ``y``."""
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return {"auc": None, "ks": None, "gini": None}
    auc = float(roc_auc_score(y, score))
    fpr, tpr, _t = roc_curve(y, score)
    return {"auc": round(auc, 4), "ks": round(float(np.max(tpr - fpr)), 4), "gini": round(2 * auc - 1, 4)}


def split_days(days: np.ndarray, holdout: float) -> tuple[np.ndarray, object]:
    """(is_holdout mask, first hold-out day): the last ``holdout`` share of the distinct days."""
    distinct = np.unique(days)
    if len(distinct) < 2:
        raise TrainingError("the period has a single observation day: a time-based hold-out needs at least two")
    k = min(max(1, int(round(len(distinct) * holdout))), len(distinct) - 1)
    first = distinct[len(distinct) - k]
    return days >= first, first


def _integer_bounds(splits) -> list[int]:
    out: list[int] = []
    for s in splits:
        b = int(math.ceil(float(s)))
        if not out or b > out[-1]:
            out.append(b)
    return out


def _bins_of(bounds: list[int]) -> list[tuple]:
    edges = [None, *bounds, None]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def _woe_table(x: np.ndarray, y: np.ndarray, ranges: list[tuple]) -> list[dict]:
    events, total = y.sum(), len(y)
    non = total - events
    rows = []
    for lower, upper in ranges:
        hit = np.ones(len(x), bool)
        if lower is not None:
            hit &= x >= lower
        if upper is not None:
            hit &= x < upper
        n, e = int(hit.sum()), int(y[hit].sum())
        # a half count keeps an empty or pure bin's WoE finite
        ne_share, e_share = max(n - e, 0.5) / max(non, 1), max(e, 0.5) / max(events, 1)
        woe = math.log(ne_share / e_share)
        rows.append({"lower": lower, "upper": upper, "count": n, "events": e,
                     "event_rate": round(e / n, 6) if n else 0.0, "woe": woe,
                     "iv": (ne_share - e_share) * woe})
    return rows


def _woe(x: np.ndarray, table: list[dict]) -> np.ndarray:
    out = np.zeros(len(x))
    for r in table:
        hit = np.ones(len(x), bool)
        if r["lower"] is not None:
            hit &= x >= r["lower"]
        if r["upper"] is not None:
            hit &= x < r["upper"]
        out = np.where(hit, r["woe"], out)
    return out


def _columns(table: pa.Table) -> dict[str, np.ndarray]:
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def train(table: pa.Table, target: str, **options) -> dict:
    """Fit the scorecard and its challenger on ``table`` (a modelling table with the column ``target``); returns
    the model as data (see the module's docstring and docs/scoring.md)."""
    from optbinning import OptimalBinning
    from sklearn.linear_model import LogisticRegression

    opts = {**DEFAULTS, **options}
    cols = _columns(table)
    y_all = cols[target].astype(np.int64)
    holdout, first_holdout = split_days(cols["day"], opts["holdout"])
    train_mask = ~holdout
    y = y_all[train_mask]
    if y.sum() < 10 or (len(y) - y.sum()) < 10:
        raise TrainingError(f"the training rows have {int(y.sum())} events and {int(len(y) - y.sum())} non-events: "
                            "at least 10 of each are needed")
    tables: dict[str, list[dict]] = {}
    # why a characteristic was left out: constant, one_bin, low_iv (with its iv), wrong_sign (collinear)
    dropped: dict[str, dict] = {}
    for char in SCORECARD_FEATURES:
        x = cols[char][train_mask].astype(np.int64)
        if len(np.unique(x)) < 2:
            dropped[char] = {"reason": "constant"}
            continue
        ob = OptimalBinning(name=char, dtype="numerical", monotonic_trend="auto_asc_desc",
                            max_n_bins=opts["max_bins"], min_bin_size=opts["min_bin_share"])
        ob.fit(x, y)
        bounds = _integer_bounds(ob.splits)
        if not bounds:
            dropped[char] = {"reason": "one_bin"}
            continue
        woe = _woe_table(x, y, _bins_of(bounds))
        iv = sum(r["iv"] for r in woe)
        if iv < opts["min_iv"]:
            dropped[char] = {"reason": "low_iv", "iv": round(iv, 4), "min_iv": opts["min_iv"]}
            continue
        tables[char] = woe
    chosen = list(tables)
    while True:
        if not chosen:
            raise TrainingError("no characteristic separates the outcomes (every one was left out: "
                                + ", ".join(f"{k}: {v['reason']}" for k, v in dropped.items()) + ")")
        X = np.column_stack([_woe(cols[c][train_mask], tables[c]) for c in chosen])
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(X, y)
        coef = lr.coef_[0]
        wrong = [c for c, b in zip(chosen, coef) if b >= 0]  # log-odds of the event fall as WoE rises
        if not wrong:
            break
        worst = chosen[int(np.argmax(coef))]
        dropped[worst] = {"reason": "wrong_sign"}
        chosen.remove(worst)
    factor = opts["pdo"] / math.log(2)
    bins: list[list] = [["base", None, None, int(round(opts["base_score"] + factor * lr.intercept_[0]))]]
    bin_stats = []
    for c, b in zip(chosen, coef):
        for r in tables[c]:
            points = int(round(factor * b * r["woe"]))
            bins.append([c, r["lower"], r["upper"], points])
            bin_stats.append({"characteristic": c, "lower": r["lower"], "upper": r["upper"], "count": r["count"],
                              "events": r["events"], "event_rate": r["event_rate"], "woe": round(r["woe"], 6),
                              "iv": round(r["iv"], 6), "points": points})
    score = score_rows(bins, cols, table.num_rows)
    train_scores = score[train_mask]
    edges = sorted({int(v) for v in np.quantile(train_scores, np.linspace(0.1, 0.9, 9))})
    reference = {"features": {c: _shares(bin_index(bins, c, cols[c][train_mask].astype(np.int64)),
                                         len(tables[c])) for c in chosen},
                 "score": {"edges": edges, "shares": _shares(np.searchsorted(edges, train_scores, side="right"),
                                                             len(edges) + 1)}}
    validation = {
        "rows": int(table.num_rows), "train_rows": int(train_mask.sum()), "holdout_rows": int(holdout.sum()),
        "holdout_from": str(first_holdout), "event_rate_train": round(float(y.mean()), 4),
        "event_rate_holdout": round(float(y_all[holdout].mean()), 4) if holdout.any() else None,
        "scorecard": {"train": metrics(y, train_scores), "holdout": metrics(y_all[holdout], score[holdout])},
        "lightgbm": challenger(cols, y_all, train_mask, holdout, opts["seed"]),
    }
    return {"target": target, "features": chosen, "dropped": dropped,
            "scaling": {"base_score": opts["base_score"], "pdo": opts["pdo"]},
            "coefficients": {"intercept": round(float(lr.intercept_[0]), 6),
                             **{c: round(float(b), 6) for c, b in zip(chosen, coef)}},
            "iv": {c: round(sum(r["iv"] for r in tables[c]), 4) for c in chosen},
            "bins": bins, "bin_stats": bin_stats, "reference": reference, "validation": validation,
            "options": opts}


def _shares(index: np.ndarray, k: int) -> list[float]:
    counts = np.bincount(index[index >= 0], minlength=k)[:k]
    total = max(int(counts.sum()), 1)
    return [round(float(c) / total, 6) for c in counts]


def challenger(cols: dict, y: np.ndarray, train_mask: np.ndarray, holdout: np.ndarray, seed: int) -> dict:
    """A LightGBM classifier on every feature (the scorecard's and the extra ones), same rows, same hold-out."""
    import lightgbm as lgb

    X = np.column_stack([cols[f].astype(np.float64) for f in FEATURES])
    model = lgb.LGBMClassifier(n_estimators=150, learning_rate=0.05, num_leaves=15, min_child_samples=40,
                               random_state=seed, deterministic=True, n_jobs=1, verbose=-1)
    model.fit(X[train_mask], y[train_mask])
    p = model.predict_proba(X)[:, 1]
    importance = dict(zip(FEATURES, (int(v) for v in model.feature_importances_)))
    return {"train": metrics(y[train_mask], p[train_mask]), "holdout": metrics(y[holdout], p[holdout]),
            "features": list(FEATURES), "importance": importance}
