"""Western Indonesia Time (WIB, UTC+7, no daylight saving): the programme's calendar days."""

from datetime import date, datetime

from django.utils import timezone

WIB = timezone.get_fixed_timezone(7 * 60)


def midnight_wib(day: date) -> datetime:
    """The moment a WIB calendar day begins (and the day before it ends)."""
    return datetime(day.year, day.month, day.day, tzinfo=WIB)
