"""The roadmap's plain values: zoom levels, statuses, axis labels and date steps. No
database imports (like kinds.py), so the roadmap's screen and chart can use them
before SQLAlchemy and SQLModel are loaded."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Zoom(StrEnum):
    """How much time a character of the timeline holds."""

    WEEKS = "weeks"
    MONTHS = "months"
    QUARTERS = "quarters"

    @property
    def days_per_cell(self) -> int:
        """Days one column of the chart stands for."""
        return {Zoom.WEEKS: 1, Zoom.MONTHS: 3, Zoom.QUARTERS: 7}[self]

    def step(self, direction: int) -> Zoom | None:
        """The next zoom out (direction > 0) or in (< 0); None past either end (the
        zoom stops there rather than wrapping around)."""
        order = list(Zoom)
        index = order.index(self) + (1 if direction > 0 else -1)
        return order[index] if 0 <= index < len(order) else None


class Status(StrEnum):
    """Where an item stands against its dates."""

    DONE = "done"
    LATE = "late"
    AT_RISK = "at risk"
    ON_TRACK = "on track"
    UNSCHEDULED = "unscheduled"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    import calendar  # here: the status report imports this module, and needs no calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shift_step(day: date, zoom: Zoom, steps: int) -> date:
    """Move a date by `steps` of the zoom's unit: a week, a month or a quarter."""
    if zoom is Zoom.WEEKS:
        return day + timedelta(weeks=steps)
    return add_months(day, steps * (1 if zoom is Zoom.MONTHS else 3))


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a date."""
    return day.year, (day.month - 1) // 3 + 1


def axis_label(day: date, zoom: Zoom) -> str | None:
    """The label the axis shows starting at `day`, or None: ISO weeks (and month names)
    at weeks, month names at months, quarters at quarters."""
    if zoom is Zoom.WEEKS:
        if day.weekday() == 0:
            _year, week, _ = day.isocalendar()
            label = f"W{week:02d}"
            if day.day <= 7:
                label += f" {day:%b}" + (f" {day.year}" if day.month == 1 else "")
            return label
        return None
    if zoom is Zoom.MONTHS:
        return f"{day:%b}" + (f" {day.year}" if day.month == 1 else "") if day.day == 1 else None
    if day.day == 1 and day.month in (1, 4, 7, 10):
        year, quarter = quarter_of(day)
        return f"Q{quarter} {year}"
    return None
