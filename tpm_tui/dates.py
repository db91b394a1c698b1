"""Small parsers for the dates, weeks and clock times people type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from tpm_tui.errors import InvalidInput

if TYPE_CHECKING:
    from tpm_tui.clock import Clock

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATE_FORMS = "an ISO date (2026-11-23), today, yesterday or a weekday name (mon, tuesday…)"
# The one range of dates tpm accepts anywhere (typed, imported, stored). It starts on
# 2 January 1970 so that a local day's first moment is after 1970-01-01T00:00Z in every
# time zone (UTC+14 included): whatever is stored can be exported and imported again.
DATE_MIN = date(1970, 1, 2)
DATE_MAX = date(2199, 12, 31)
RANGE_WORDS = f"tpm keeps dates from {DATE_MIN} to {DATE_MAX}"
_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_CLOCK_PART = r"([01]?\d|2[0-3])[:.h]?([0-5]\d)"
_CLOCK = re.compile(_CLOCK_PART + r"(?:\s*([+-])(0?\d|1\d|2[0-3]):?([0-5]\d))?")
_SPAN = re.compile(_CLOCK_PART + r"\s*[-–]\s*(?:" + _CLOCK_PART + r"|(24)[:.h]?(00))")


class DateError(InvalidInput):
    """A date, week or time of day that could not be read."""


def check_day(day: date, what: str = "the date", field: str | None = None) -> date:
    """`day` itself when it lies in DATE_MIN..DATE_MAX; else one line saying the range."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise DateError(f"{what} {day} is out of range: {RANGE_WORDS}", field)
    return day


def parse_day(text: str, today: date) -> date:
    """An ISO date, `today`, `yesterday`, or a weekday name meaning the most recent one
    (today included), inside the accepted range."""
    return check_day(_read_day(text, today))


def _read_day(text: str, today: date) -> date:
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
    """A strict ISO date (YYYY-MM-DD), for stored dates such as a target date, inside
    the accepted range (a day such as 0001-01-01 has no UTC bounds in every zone)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DateError(f"{what} {text!r} is not a date: use YYYY-MM-DD") from None
    return check_day(day, what)


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """The Monday of an ISO week written `2026-W48` (or an ISO date inside it); the
    whole week lies inside the accepted range."""
    raw = text.strip()
    if m := _ISO_WEEK.fullmatch(raw):
        year, week = int(m[1]), int(m[2])
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise DateError(f"{text!r}: {year} has no week {week}") from None
    else:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise DateError(f"{text!r} is not a week: use 2026-W48 or a date inside it") from None
        monday = week_start(day)  # 0001-01-01 was a Monday: this never goes below it
    if not DATE_MIN <= monday <= DATE_MAX - timedelta(days=6):
        raise DateError(f"week {raw} is out of range: {RANGE_WORDS}")
    return monday


def week_label(monday: date) -> str:
    """`2026-W48` for the ISO week starting on `monday`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_clock_time(text: str) -> time:
    """A time of day such as `17:30`, `9:05` or `1730`; with an offset (`01:40-05:00`)
    it says which of the two 01:40s of the night the clocks go back."""
    if m := _CLOCK.fullmatch(text.strip()):
        if m[3] is None:
            return time(int(m[1]), int(m[2]))
        offset = timedelta(hours=int(m[4]), minutes=int(m[5]))
        tz = timezone(offset if m[3] == "+" else -offset)
        return time(int(m[1]), int(m[2]), tzinfo=tz)
    raise DateError(f"{text!r} is not a time of day: use HH:MM, such as 17:30")


def parse_span(text: str) -> tuple[time, time] | None:
    """`9:00-9:30` as its start and end times of day (an end of 00:00 or 24:00 is
    midnight); None when `text` is not a span."""
    if m := _SPAN.fullmatch(text.strip()):
        starts = time(int(m[1]), int(m[2]))
        ends = time(0, 0) if m[5] else time(int(m[3]), int(m[4]))
        if ends <= starts and ends != time(0, 0):
            raise backwards_span(starts, ends)
        return starts, ends
    return None


def backwards_span(starts: time, ends: time) -> DateError:
    """The error for a span that ends before it starts."""
    return DateError(
        f"{starts:%H:%M}-{ends:%H:%M} ends before it starts: write the earlier time first, "
        "such as 9:00-9:30 (split a span over midnight in two)",
        "duration",
    )


def span_minutes(starts: time, ends: time) -> int:
    """Minutes from `starts` to `ends` on a clock face (00:00 at the end is midnight)."""
    end = ends.hour * 60 + ends.minute or 24 * 60
    return end - (starts.hour * 60 + starts.minute)


def day_words(day: date, today: date) -> str:
    """`Wed 25 Nov`, with the year when it is not this year's."""
    return f"{day:%a %d %b}" if day.year == today.year else f"{day:%a %d %b %Y}"


def since_words(moment: datetime, now: datetime) -> str:
    """When something began, as a person says it: `16:00`, `yesterday 16:00`, or the
    date for anything older."""
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    if moment.date() == now.date() - timedelta(days=1):
        return f"yesterday {moment:%H:%M}"
    return f"{day_words(moment.date(), now.date())} {moment:%H:%M}"


def reading(moment: datetime) -> str:
    """A local moment as a time of day with its offset: `01:40-04:00`."""
    offset = moment.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{moment:%H:%M}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_moment(clock: Clock, day: date, clock_time: time) -> datetime:
    """The local moment `clock_time` means on `day`. A time the clocks skipped is
    refused; a time they pass twice is the first, unless an offset says which."""
    wall = datetime.combine(day, clock_time.replace(tzinfo=None))
    if clock_time.tzinfo is not None:
        moment = clock.local(wall.replace(tzinfo=clock_time.tzinfo).astimezone(UTC))
        if moment.replace(tzinfo=None) != wall:
            readings = " or ".join(sorted({reading(m) for m in _readings(clock, wall)}))
            raise DateError(
                f"{reading(wall.replace(tzinfo=clock_time.tzinfo))} is not a time of day here "
                f"on {day:%a %d %b}: say {readings}"
            )
        return moment
    # through UTC: astimezone() into the same zone object would not normalise a wall time
    # the clocks skipped
    moment = clock.local(clock.at(day, wall.time()).astimezone(UTC))
    if moment.replace(tzinfo=None) != wall:
        raise DateError(
            f"{wall:%H:%M} does not exist on {day:%a %d %b %Y}: the clocks went forward that night"
        )
    return moment


def _readings(clock: Clock, wall: datetime) -> list[datetime]:
    """The moments a local wall time stands for (two on the night the clocks go back)."""
    moments = [
        clock.local(clock.at(wall.date(), wall.time().replace(fold=f)).astimezone(UTC))
        for f in (0, 1)
    ]
    return [m for m in moments if m.replace(tzinfo=None) == wall]


@dataclass(frozen=True)
class Ambiguous:
    """A time of day that happened twice (the night the clocks go back): the one taken
    and the other, each written with its offset."""

    taken: str
    other: str
    first: bool

    def describe(self) -> str:
        """One line saying which one was taken and how to say the other."""
        which, other = ("first", "second") if self.first else ("second", "first")
        return f"{self.taken[:5]} happened twice that night: took {self.taken}, the {which}; " + (
            f"{self.other} is the {other}"
        )


def ambiguity(clock: Clock, moment: datetime) -> Ambiguous | None:
    """For a moment whose local time of day happened twice, which one it is; else None."""
    local = clock.local(moment)
    moments = _readings(clock, local.replace(tzinfo=None))
    instants = sorted({m.astimezone(UTC) for m in moments})
    if len(instants) < 2:
        return None
    first = local.astimezone(UTC) == instants[0]
    other = clock.local(instants[1] if first else instants[0])
    return Ambiguous(reading(local), reading(other), first)
