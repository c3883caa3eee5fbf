"""The limitation period, pure: three years from the latest event, art. 202/203 end-of-period rules."""
import datetime as dt

from concord.legal.limitation import add_years, last_day, limitation

D = dt.date


def test_three_years_to_the_corresponding_day():
    assert last_day(D(2022, 1, 10)) == D(2025, 1, 10)          # a Friday, a working day
    assert last_day(D(2023, 5, 9)) == D(2026, 5, 9)            # a Saturday made a working day (调休): no extension


def test_29_february_ends_on_28_february():
    assert add_years(D(2024, 2, 29), 3) == D(2027, 2, 28)


def test_a_last_day_on_a_statutory_holiday_moves_to_the_next_working_day():
    assert last_day(D(2023, 10, 1)) == D(2026, 10, 8)          # National Day 2026: 1–7 October
    assert last_day(D(2022, 11, 29)) == D(2025, 12, 1)         # 29 Nov 2025 is a Saturday: the Monday after


def test_a_year_the_calendar_does_not_know_is_not_extended():
    assert last_day(D(2027, 2, 2)) == D(2030, 2, 2)            # a Saturday, but 2030 is not in the calendar


def test_the_latest_event_counts():
    lim = limitation(last_due=D(2021, 3, 1), last_payment=D(2022, 6, 6), last_acknowledgement=D(2022, 1, 1))
    assert (lim.start, lim.basis, lim.expires_on) == (D(2022, 6, 6), "payment", D(2025, 6, 6))
    lim = limitation(last_due=D(2021, 3, 1), last_payment=None, last_acknowledgement=D(2023, 4, 4))
    assert lim.basis == "acknowledgement" and lim.expires_on == D(2026, 4, 7)   # 4–6 April 2026: Qingming
    assert not lim.barred_on(D(2026, 4, 7)) and lim.barred_on(D(2026, 4, 8))


def test_nothing_known():
    lim = limitation(last_due=None, last_payment=None, last_acknowledgement=None)
    assert lim.expires_on is None and not lim.barred_on(D(2099, 1, 1))
