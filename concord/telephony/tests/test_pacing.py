"""Predictive pacing (pure): the ratio follows the answer rate, capped, and falls to 1:1 at once past the abandon
target."""
from concord.telephony.pacing import DayCounts, Pacing, abandon_rate, calls_to_place, ratio


def test_no_history_yet_dials_one_call_per_free_collector():
    assert calls_to_place(4, 0, DayCounts()) == 4
    assert calls_to_place(4, 0, DayCounts(placed=10, answered=2)) == 4          # below the sample


def test_the_ratio_follows_the_answer_rate_and_is_capped():
    assert ratio(DayCounts(placed=100, answered=50)) == 2.0
    assert calls_to_place(4, 0, DayCounts(placed=100, answered=80)) == 5          # 4 × 1.25
    assert ratio(DayCounts(placed=100, answered=10)) == 2.0                       # 10 × would be too many
    assert calls_to_place(3, 0, DayCounts(placed=100, answered=10), Pacing(max_ratio=3)) == 9


def test_calls_in_flight_count_against_the_lines():
    day = DayCounts(placed=100, answered=50)
    assert calls_to_place(3, 4, day) == 2
    assert calls_to_place(3, 9, day) == 0
    assert calls_to_place(0, 0, day) == 0


def test_past_the_abandon_target_it_drops_to_one_to_one_at_once():
    at_target = DayCounts(placed=200, answered=100, abandoned=3)
    assert abandon_rate(at_target) == 0.03 and ratio(at_target) == 2.0           # at 3 %: not past it
    past = DayCounts(placed=201, answered=101, abandoned=4)
    assert ratio(past) == 1.0 and calls_to_place(5, 0, past) == 5
    assert ratio(past, Pacing(abandon_target=0.05)) > 1.0                         # the target is configurable
