"""Business days (prakerja/core/calendar.py): Monday to Friday without Indonesia's public holidays."""

from datetime import date

import pytest

from prakerja.core.calendar import add_business_days, business_days_between, is_business_day


def test_weekends_and_public_holidays_are_not_business_days():
    assert is_business_day(date(2026, 12, 24))  # Thursday
    assert not is_business_day(date(2026, 12, 25))  # Christmas, a Friday
    assert not is_business_day(date(2026, 12, 26)) and not is_business_day(date(2026, 12, 27))  # the weekend
    assert not is_business_day(date(2027, 1, 1))  # New Year's Day
    assert not is_business_day(date(2026, 8, 17))  # Independence Day, a Monday


def test_adding_business_days_across_a_holiday_and_a_weekend():
    thursday = date(2026, 12, 24)
    assert add_business_days(thursday, 0) == thursday
    assert add_business_days(thursday, 1) == date(2026, 12, 28)  # not Friday (Christmas), not the weekend
    # 28, 29, 30, 31 Dec, then 4, 6, 7 Jan: 1 Jan (New Year) and 5 Jan (Isra' Mi'raj 2027) are holidays.
    assert add_business_days(thursday, 7) == date(2027, 1, 7)


def test_counting_business_days_between_two_dates():
    assert business_days_between(date(2026, 12, 24), date(2026, 12, 27)) == 0
    assert business_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1
    assert business_days_between(date(2026, 12, 24), date(2027, 1, 7)) == 7
    assert business_days_between(date(2027, 1, 7), date(2026, 12, 24)) == 0


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 12, 24), -1)
