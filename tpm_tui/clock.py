"""The current time as a parameter: the system clock, or a frozen one for tests and demos."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo


class Clock:
    """Tells the time. Frozen when built with `now`; in `tz`, or the system's zone if None."""

    def __init__(self, now: datetime | None = None, tz: tzinfo | None = None) -> None:
        if now is not None and now.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self._frozen = now
        self._tz = tz if tz is not None else (now.tzinfo if now is not None else None)

    def now(self) -> datetime:
        """The current moment, aware, in local time."""
        moment = self._frozen if self._frozen is not None else datetime.now(UTC)
        return self.local(moment)

    def today(self) -> date:
        """Today's local date."""
        return self.now().date()

    def local(self, moment: datetime) -> datetime:
        """An aware moment (a stored UTC value, say) in local time."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self._tz) if self._tz is not None else moment.astimezone()

    def at(self, day: date, clock_time: time = time()) -> datetime:
        """The aware local moment of `clock_time` on `day` (midnight by default)."""
        naive = datetime.combine(day, clock_time)
        if self._tz is not None:
            return naive.replace(tzinfo=self._tz)
        return naive.astimezone()  # the system's rules, DST included

    def day_bounds(self, day: date, days: int = 1) -> tuple[datetime, datetime]:
        """Start and end (exclusive) of `days` local days from `day`, as UTC moments."""
        start = self.at(day).astimezone(UTC)
        end = self.at(day + timedelta(days=days)).astimezone(UTC)
        return start, end


def clock_from_environment(environ: Mapping[str, str]) -> Clock:
    """The system clock, or a frozen one when TPM_NOW is set (tests, demos): in the zone
    TZ names, with its clock changes, when it names one. Raises ValueError for a
    TPM_NOW that is not an ISO date and time."""
    frozen = environ.get("TPM_NOW")
    if not frozen:
        return Clock()
    moment = datetime.fromisoformat(frozen)
    zone = _named_zone(environ)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone else moment.astimezone()
    return Clock(moment, zone)


def _named_zone(environ: Mapping[str, str]) -> tzinfo | None:
    """The zone TZ names (`Europe/Berlin`), for a frozen clock that keeps its rules."""
    name = environ.get("TZ", "").removeprefix(":")
    if not name:
        return None
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (ValueError, OSError):  # not a zone name (ZoneInfoNotFoundError is an OSError)
        return None
