"""Business days in Indonesia: Monday to Friday, without the national public holidays (the ``holidays`` package).

Deadlines that promise something "within N business days" (TRN-4, CMP-2)
count here. Dates are local (WIB) dates; the caller turns a time into one
with ``timezone.localdate``.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_business_days(day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (``day`` itself never counts); ``count`` >= 0."""
    if count < 0:
        raise ValueError("count must be >= 0")
    while count:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """How many business days come after ``start`` up to and including ``end`` (0 if ``end`` <= ``start``)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_business_day(day)
    return days
