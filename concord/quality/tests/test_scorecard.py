"""The scorecard's pure computation: the rubric's rules, normalisation, the weighted total and the rank, on lines whose
answers were worked out by hand."""
from __future__ import annotations

import pytest

from concord.quality import scorecard
from concord.quality.scorecard import DEFAULT_WEIGHTS, Line, score, validate, values


def codes(weights):
    return {(p.field, p.code) for p in validate(weights)}


def test_the_default_rubric_is_valid():
    assert validate(DEFAULT_WEIGHTS) == []
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_money_may_carry_at_most_half():
    w = {**DEFAULT_WEIGHTS, "recovery": 50, "promise_kept": 0, "quality": 15, "complaints": 15, "denials": 10,
         "breaches": 10}
    assert validate(w) == []
    w = {"recovery": 51, "promise_kept": 4, "complaints": 15, "denials": 10, "breaches": 0, "quality": 20}
    assert codes(w) == {("recovery", "money_over_half")}


@pytest.mark.parametrize("zeroed, group", [(("complaints",), "complaints"), (("denials", "breaches"), "compliance"),
                                           (("quality",), "quality")])
def test_every_conduct_group_must_carry_weight(zeroed, group):
    w = dict(DEFAULT_WEIGHTS)
    moved = sum(w[m] for m in zeroed)
    for m in zeroed:
        w[m] = 0
    w["promise_kept"] += moved
    problems = validate(w)
    assert [(p.code, p.params) for p in problems] == [("conduct_missing", {"group": group})]


def test_weights_must_be_whole_non_negative_and_sum_to_100():
    assert codes({**DEFAULT_WEIGHTS, "quality": 21}) == {("__all__", "total")}
    assert ("quality", "negative") in codes({**DEFAULT_WEIGHTS, "quality": -20, "promise_kept": 55})
    assert ("quality", "negative") in codes({**DEFAULT_WEIGHTS, "quality": 20.0})
    assert ("speed", "unknown") in codes({**DEFAULT_WEIGHTS, "speed": 0})


def test_scores_totals_and_ranks_worked_by_hand():
    a = Line("a", "甲", {"recovery": 0.10, "promise_kept": 0.8, "complaints": 0.0, "denials": 0.1, "breaches": 0.0,
                        "quality": 90})
    b = Line("b", "乙", {"recovery": 0.05, "promise_kept": 0.5, "complaints": 20.0, "denials": 0.2, "breaches": 0.5,
                        "quality": 70})
    c = Line("c", "丙", {"recovery": 0.20, "promise_kept": None, "complaints": 10.0, "denials": 0.0,
                        "breaches": None, "quality": None})
    ranked = score([a, b, c], DEFAULT_WEIGHTS)
    assert a.scores == {"recovery": 50.0, "promise_kept": 80.0, "complaints": 100.0, "denials": 50.0,
                        "breaches": 100.0, "quality": 90.0}
    assert b.scores == {"recovery": 25.0, "promise_kept": 50.0, "complaints": 0.0, "denials": 0.0, "breaches": 0.0,
                        "quality": 70.0}
    assert c.scores == {"recovery": 100.0, "promise_kept": 50.0, "complaints": 50.0, "denials": 100.0,
                        "breaches": 50.0, "quality": 50.0}
    assert c.missing == ("promise_kept", "breaches", "quality")
    # (30×50 + 15×80 + 15×100 + 10×50 + 10×100 + 20×90) / 100 and so on
    assert (a.total, b.total, c.total) == (75.0, 29.0, 70.0)
    # the best recovery does not make the best collector
    assert [ln.key for ln in ranked] == ["a", "c", "b"] and [ln.rank for ln in ranked] == [1, 2, 3]


def test_equal_totals_share_a_rank_and_nobody_at_zero_means_full_marks():
    same = {"recovery": 0.0, "promise_kept": 1.0, "complaints": 0.0, "denials": 0.0, "breaches": 0.0, "quality": 100}
    lines = [Line(k, k, dict(same)) for k in ("x", "y")] + [Line("z", "z", {**same, "quality": 40})]
    ranked = score(lines, DEFAULT_WEIGHTS)
    # nobody recovered: 0 for all; nobody complained, was denied or breached: 100 for all
    assert ranked[0].scores["recovery"] == 0.0 and ranked[0].scores["complaints"] == 100.0
    assert [(ln.key, ln.rank) for ln in ranked] == [("x", 1), ("y", 1), ("z", 3)]
    assert ranked[0].total == 70.0 and ranked[2].total == 58.0


def test_a_refused_rubric_cannot_score():
    with pytest.raises(ValueError):
        score([], {**DEFAULT_WEIGHTS, "recovery": 60, "promise_kept": 0, "quality": 5})


def test_values_from_counts():
    v = values(recovered_fen=5000, held_fen=100000, kept=3, resolved=4, complaints=1, contacts=400, denials=2,
               requests=50, breaches=1, reviews=4, score_sum=330)
    assert v == {"recovery": 0.05, "promise_kept": 0.75, "complaints": 25.0, "denials": 0.04, "breaches": 0.25,
                 "quality": 82.5}
    none = values(recovered_fen=0, held_fen=0, kept=0, resolved=0, complaints=0, contacts=0, denials=0, requests=0,
                  breaches=0, reviews=0, score_sum=0)
    assert set(none.values()) == {None}
    assert scorecard.MISSING_SCORE == 50.0
