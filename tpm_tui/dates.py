"""Small parsers for the dates, weeks and clock times people type."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from tpm_tui.errors import InvalidInput

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATE_FORMS = "an ISO date (2026-11-23), today, yesterday or a weekday name (mon, tuesday…)"
_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_CLOCK = re.compile(r"([01]?\d|2[0-3])[:.h]?([0-5]\d)")


class DateError(InvalidInput):
    """A date, week or time of day that could not be read."""


def parse_day(text: str, today: date) -> date:
    """An ISO date, `today`, `yesterday`, or a weekday name meaning the most recent one
    (today included)."""
    raw = text.strip().lower()
    if raw in ("today", "now"):
        return today
    if raw == "yesterday":
        return today - timedelta(days=1)
    if len(raw) >= 2:
        matches = [i for i, name in enumerate(WEEKDAYS) if name.startswith(raw)]
        if len(matches) == 1:
            back = (today.weekday() - matches[0]) % 7
            return today - timedelta(days=back)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    raise DateError(f"{text!r} is not a date: use {DATE_FORMS}")


def parse_iso_date(text: str, what: str = "date") -> date:
    """A strict ISO date (YYYY-MM-DD), for stored dates such as a target date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DateError(f"{what} {text!r} is not a date: use YYYY-MM-DD") from None


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """The Monday of an ISO week written `2026-W48` (or an ISO date inside it)."""
    raw = text.strip()
    if m := _ISO_WEEK.fullmatch(raw):
        year, week = int(m[1]), int(m[2])
        try:
            return date.fromisocalendar(year, week, 1)
        except ValueError:
            raise DateError(f"{text!r}: {year} has no week {week}") from None
    try:
        return week_start(date.fromisoformat(raw))
    except ValueError:
        raise DateError(f"{text!r} is not a week: use 2026-W48 or a date inside it") from None


def week_label(monday: date) -> str:
    """`2026-W48` for the ISO week starting on `monday`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_clock_time(text: str) -> time:
    """A time of day such as `17:30`, `9:05` or `1730`."""
    if m := _CLOCK.fullmatch(text.strip()):
        return time(int(m[1]), int(m[2]))
    raise DateError(f"{text!r} is not a time of day: use HH:MM, such as 17:30")
