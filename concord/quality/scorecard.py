"""The balanced scorecard (平衡计分卡), pure: measures of each collector or team → normalised scores → a total weighted
by the manager's rubric → a rank. No Django; the gathering of the measures is in :mod:`concord.quality.measures`.

Measures (raw value → score 0–100, compared with the peers of the same scorecard):

* ``recovery`` — recovery rate (recovered ÷ held): 100 × value ÷ the best peer's value (0 when nobody recovered);
* ``promise_kept`` — promise-kept rate (kept ÷ resolved): 100 × value;
* ``complaints`` — complaints per 10,000 contacts: 100 × (1 − value ÷ the worst peer's value) (100 when nobody had one);
* ``denials`` — the compliance gate's denials ÷ the contact requests: as complaints, against the worst peer;
* ``breaches`` — quality breaches (a failed breach item: a threat, a third-party disclosure) per reviewed call: as
  complaints, against the worst peer;
* ``quality`` — the average quality-review score (already 0–100).

A measure without data for someone (no resolved promise, no contact, no review) scores 50, the middle of the scale,
and is marked missing: neither a reward nor a penalty, and nobody escapes a conduct measure by having none.
Total = Σ weight × score ÷ Σ weight, rounded to 2 places; rank 1 is the highest total (equal totals share a rank).
"""
from __future__ import annotations

from dataclasses import dataclass, field

MEASURES = ("recovery", "promise_kept", "complaints", "denials", "breaches", "quality")
HIGHER_RELATIVE = {"recovery"}
HIGHER_ABSOLUTE = {"promise_kept": 100.0, "quality": 1.0}   # scale to 0–100
LOWER_RELATIVE = {"complaints", "denials", "breaches"}
MISSING_SCORE = 50.0
#: The measure groups the rubric's rules speak of: money at most half of the weight, every conduct group some.
MONEY = ("recovery",)
CONDUCT_GROUPS = {"complaints": ("complaints",), "compliance": ("denials", "breaches"), "quality": ("quality",)}
DEFAULT_WEIGHTS = {"recovery": 30, "promise_kept": 15, "complaints": 15, "denials": 10, "breaches": 10, "quality": 20}


@dataclass(frozen=True)
class Problem:
    """One reason a rubric is refused: the field (a measure or ``__all__``) and a code with its figures."""
    field: str
    code: str   # negative | total | money_over_half | conduct_missing | unknown
    params: dict = field(default_factory=dict)


def validate(weights: dict) -> list[Problem]:
    """Why the rubric ``weights`` (measure → whole-number weight, summing to 100) cannot be used; [] when it can."""
    problems = [Problem(k, "unknown") for k in weights if k not in MEASURES]
    w = {m: weights.get(m, 0) for m in MEASURES}
    for m, v in w.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            problems.append(Problem(m, "negative", {"value": v}))
    if problems:
        return problems
    total = sum(w.values())
    if total != 100:
        return [Problem("__all__", "total", {"total": total})]
    money = sum(w[m] for m in MONEY)
    if money * 2 > total:
        problems.append(Problem("recovery", "money_over_half", {"money": money, "total": total}))
    for group, members in CONDUCT_GROUPS.items():
        if sum(w[m] for m in members) == 0:
            problems.append(Problem(members[0], "conduct_missing", {"group": group}))
    return problems


@dataclass
class Line:
    """One collector's or team's line of the scorecard."""
    key: object
    name: str
    values: dict            # measure → raw value (None: no data)
    scores: dict = field(default_factory=dict)   # measure → 0–100
    missing: tuple = ()
    total: float = 0.0
    rank: int = 0
    counts: dict = field(default_factory=dict)   # the counts the values were made of (shown beside them)


def _r(x: float) -> float:
    return round(x + 0.0, 2)


def score(lines: list[Line], weights: dict) -> list[Line]:
    """Normalise, weigh and rank ``lines`` in place; returned best first (then by name)."""
    problems = validate(weights)
    if problems:
        raise ValueError(f"rubric refused: {problems}")
    present = {m: [ln.values.get(m) for ln in lines if ln.values.get(m) is not None] for m in MEASURES}
    best = {m: max(present[m], default=0) for m in HIGHER_RELATIVE}
    worst = {m: max(present[m], default=0) for m in LOWER_RELATIVE}
    total_weight = sum(weights.get(m, 0) for m in MEASURES)
    for ln in lines:
        scores, missing = {}, []
        for m in MEASURES:
            v = ln.values.get(m)
            if v is None:
                scores[m] = MISSING_SCORE
                missing.append(m)
            elif m in HIGHER_RELATIVE:
                scores[m] = _r(100 * v / best[m]) if best[m] else 0.0
            elif m in LOWER_RELATIVE:
                scores[m] = _r(100 * (1 - v / worst[m])) if worst[m] else 100.0
            else:
                scores[m] = _r(min(max(v * HIGHER_ABSOLUTE[m], 0), 100))
        ln.scores, ln.missing = scores, tuple(missing)
        ln.total = _r(sum(weights.get(m, 0) * scores[m] for m in MEASURES) / total_weight)
    ordered = sorted(lines, key=lambda ln: (-ln.total, ln.name, str(ln.key)))
    for i, ln in enumerate(ordered):
        ln.rank = ordered[i - 1].rank if i and ordered[i - 1].total == ln.total else i + 1
    return ordered


def values(*, recovered_fen: int, held_fen: int, kept: int, resolved: int, complaints: int, contacts: int,
           denials: int, requests: int, breaches: int, reviews: int, score_sum: int) -> dict:
    """The raw measures from counts (the definitions the scorecard documents); None where the denominator is 0."""
    div = lambda a, b, k=1: round(a * k / b, 4) if b else None  # noqa: E731
    return {"recovery": div(recovered_fen, held_fen), "promise_kept": div(kept, resolved),
            "complaints": div(complaints, contacts, 10000), "denials": div(denials, requests),
            "breaches": div(breaches, reviews), "quality": div(score_sum, reviews)}
