"""Time tracking: logged entries, the one running timer, and a day's entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.durations import format_duration
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.kinds import Category, parse_category
from tpm_tui.models import TimeEntry, WorkItem
from tpm_tui.services import validate

MAX_MINUTES = 24 * 60
LONG_TIMER = timedelta(hours=10)
MIN_TIMER = timedelta(minutes=1)
DAY_STARTS_AT = time(9, 0)  # where a back-dated entry goes when its day is empty


class Keep(Enum):
    """A default meaning "leave this field as it is" where None means "clear it"."""

    KEEP = 0


@dataclass(frozen=True)
class EntryView:
    """A time entry in local time; `ended_at` is None while its timer runs."""

    id: int
    category: Category
    started_at: datetime
    ended_at: datetime | None
    seconds: int
    note: str
    item_id: int | None
    item_title: str | None

    @property
    def minutes(self) -> int:
        """The duration in whole minutes (rounded)."""
        return (self.seconds + 30) // 60

    @property
    def running(self) -> bool:
        """Whether this is the running timer."""
        return self.ended_at is None

    def span(self) -> str:
        """`Thu 26 Nov 09:15–10:00` (or `…–now` while running)."""
        end = "now" if self.ended_at is None else f"{self.ended_at:%H:%M}"
        return f"{self.started_at:%a %d %b %H:%M}–{end}"

    def describe(self) -> str:
        """`45m meetings · sprint planning · #12`, for confirmations."""
        parts = [f"{format_duration(self.minutes)} {self.category.value}"]
        if self.note:
            parts.append(self.note)
        if self.item_id is not None:
            parts.append(f"#{self.item_id} {self.item_title or ''}".rstrip())
        return " · ".join(parts)


@dataclass(frozen=True)
class Stopped:
    """A timer that was stopped: kept as an entry, or discarded for running under a
    minute (a timer started by mistake is not worth an entry)."""

    entry: EntryView
    kept: bool

    def describe(self) -> str:
        """One line for the user: what was saved, or that nothing was."""
        entry = self.entry
        if not self.kept:
            return f"discarded the {entry.category.value} timer: it ran under a minute"
        return f"stopped {entry.describe()} ({entry.span()})"


@dataclass(frozen=True)
class TimerStart:
    """The timer just started, and the one it stopped (if any was running)."""

    started: EntryView
    stopped: Stopped | None


@dataclass(frozen=True)
class Status:
    """What is running and what today holds so far."""

    running: EntryView | None
    today: dict[Category, int]

    @property
    def today_total(self) -> int:
        """Minutes logged today, all categories."""
        return sum(self.today.values())


_UTC_TYPE = TimeEntry.__table__.c.started_at.type  # type: ignore[attr-defined]


def utc_param(moment: datetime) -> Any:
    """A bound datetime parameter stored the way the columns store them."""
    return sa.literal(moment.astimezone(UTC), type_=_UTC_TYPE)


def seconds_expr(now: datetime) -> Any:
    """SQL for an entry's length in seconds; a running timer counts up to `now`."""
    end = sa.func.coalesce(col(TimeEntry.ended_at), utc_param(now))
    return sa.func.round(
        (sa.func.julianday(end) - sa.func.julianday(col(TimeEntry.started_at))) * 86400
    )


def _views(
    session: Session, clock: Clock, where: Any, order: Any = None, limit: int | None = None
) -> list[EntryView]:
    now = clock.now()
    query = (
        sa.select(TimeEntry, seconds_expr(now), col(WorkItem.title))
        .outerjoin(WorkItem, col(WorkItem.id) == col(TimeEntry.item_id))
        .where(where)
        .order_by(order if order is not None else col(TimeEntry.started_at))
        .limit(limit)
    )
    return [
        EntryView(
            id=entry.id,
            category=Category(entry.category),
            started_at=clock.local(entry.started_at),
            ended_at=clock.local(entry.ended_at) if entry.ended_at is not None else None,
            seconds=max(0, int(seconds or 0)),
            note=entry.note,
            item_id=entry.item_id,
            item_title=title,
        )
        for entry, seconds, title in session.execute(query)
    ]


def _one(session: Session, clock: Clock, entry_id: int) -> EntryView:
    found = _views(session, clock, col(TimeEntry.id) == entry_id)
    if not found:
        raise NotFound(f"no time entry #{entry_id}", "id")
    return found[0]


def _check_item(session: Session, item_id: int | None) -> None:
    if item_id is not None and session.get(WorkItem, item_id) is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "item_id")


def _check_minutes(minutes: int) -> None:
    if minutes <= 0:
        raise InvalidInput("the duration is zero: log at least 1m", "duration")
    if minutes > MAX_MINUTES:
        raise InvalidInput(
            f"{format_duration(minutes)} is more than a day (24h); split it over several days",
            "duration",
        )


def _place(session: Session, clock: Clock, minutes: int, day: date) -> tuple[datetime, datetime]:
    """Where a logged entry goes: ending now for today, else after that day's last entry."""
    now = clock.now()
    today = now.date()
    if day > today:
        raise InvalidInput(f"{day} is in the future: log time once it is spent", "date")
    length = timedelta(minutes=minutes)
    day_start, day_end = clock.day_bounds(day)
    if day == today:
        start = now - length
        if start < day_start:
            start = clock.local(day_start)
            if start + length > now:
                raise InvalidInput(
                    f"only {format_duration(int((now - start).total_seconds() // 60))} of today "
                    f"has passed: log the rest with --date yesterday",
                    "duration",
                )
        return start, start + length
    last_end = session.execute(
        sa.select(
            sa.func.max(sa.func.coalesce(col(TimeEntry.ended_at), col(TimeEntry.started_at)))
        ).where(
            col(TimeEntry.started_at) >= utc_param(day_start),
            col(TimeEntry.started_at) < utc_param(day_end),
        )
    ).scalar_one()
    start = clock.at(day, DAY_STARTS_AT)
    if last_end is not None:
        start = max(start, clock.local(datetime.fromisoformat(str(last_end)).replace(tzinfo=UTC)))
    if start + length > clock.local(day_end):
        start = clock.local(day_end) - length
    return start, start + length


def log_entry(
    db: Database,
    clock: Clock,
    minutes: int,
    category: Category | str,
    note: str = "",
    *,
    day: date | None = None,
    item_id: int | None = None,
) -> EntryView:
    """Record time already spent: today it ends now; on an earlier day it follows that
    day's last entry (from 09:00)."""
    category = category if isinstance(category, Category) else parse_category(category)
    _check_minutes(minutes)
    clean_note = validate.line(note, "note", validate.NOTE_MAX)
    with db.write() as session:
        _check_item(session, item_id)
        start, end = _place(session, clock, minutes, day or clock.today())
        entry = TimeEntry(
            category=category.value,
            started_at=start,
            ended_at=end,
            note=clean_note,
            item_id=item_id,
            created_at=clock.now(),
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        return _one(session, clock, entry.id)


def _running(session: Session) -> TimeEntry | None:
    return session.execute(
        sa.select(TimeEntry).where(col(TimeEntry.ended_at).is_(None))
    ).scalar_one_or_none()


def _finish(session: Session, clock: Clock, entry: TimeEntry, at: datetime) -> Stopped:
    """End a running entry at `at`; one that lasted under a minute is discarded."""
    assert entry.id is not None
    if at - entry.started_at < MIN_TIMER:
        view = _one(session, clock, entry.id)
        session.delete(entry)
        session.flush()
        return Stopped(view, kept=False)
    entry.ended_at = at
    session.flush()
    return Stopped(_one(session, clock, entry.id), kept=True)


def start_timer(
    db: Database,
    clock: Clock,
    category: Category | str,
    note: str = "",
    *,
    item_id: int | None = None,
) -> TimerStart:
    """Start the timer; a timer already running is stopped now (one runs at most)."""
    category = category if isinstance(category, Category) else parse_category(category)
    clean_note = validate.line(note, "note", validate.NOTE_MAX)
    now = clock.now()
    with db.write() as session:
        _check_item(session, item_id)
        stopped = None
        running = _running(session)
        if running is not None:
            stopped = _finish(session, clock, running, now)
        entry = TimeEntry(
            category=category.value,
            started_at=now,
            ended_at=None,
            note=clean_note,
            item_id=item_id,
            created_at=now,
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        return TimerStart(_one(session, clock, entry.id), stopped)


def running_timer(db: Database, clock: Clock) -> EntryView | None:
    """The running timer, with its elapsed seconds, or None."""
    with db.read() as session:
        found = _views(session, clock, col(TimeEntry.ended_at).is_(None))
        return found[0] if found else None


def needs_confirmation(timer: EntryView, now: datetime) -> bool:
    """A timer left running past midnight or over 10 hours is probably forgotten."""
    return timer.started_at.date() != now.date() or now - timer.started_at > LONG_TIMER


def stop_time_at(timer: EntryView, clock_time: time, now: datetime, clock: Clock) -> datetime:
    """The moment a stop `--at 17:30` means: that time on the timer's first day, or the
    next day it falls after the start; never in the future."""
    moment = clock.at(timer.started_at.date(), clock_time)
    while moment <= timer.started_at:
        moment = clock.at(moment.date() + timedelta(days=1), clock_time)
    if moment > now:
        raise InvalidInput(
            f"{clock_time:%H:%M} after the start ({timer.started_at:%a %H:%M}) "
            "is still in the future",
            "at",
        )
    return moment


def stop_timer(db: Database, clock: Clock, at: datetime | None = None) -> Stopped:
    """Stop the running timer now, or at `at` (between its start and now)."""
    now = clock.now()
    with db.write() as session:
        running = _running(session)
        if running is None:
            raise InvalidInput("no timer is running: `tpm start CATEGORY` starts one")
        end = now if at is None else at
        if at is not None and not (running.started_at < at <= now):
            raise InvalidInput("the stop time must fall between the timer's start and now", "at")
        if end - running.started_at > timedelta(minutes=MAX_MINUTES):
            raise InvalidInput(
                "this timer would run over 24h: stop it with --at HH:MM at the time you stopped",
                "at",
            )
        return _finish(session, clock, running, end)


def entries_between(db: Database, clock: Clock, start: datetime, end: datetime) -> list[EntryView]:
    """Entries starting in [start, end), in order."""
    with db.read() as session:
        return _views(
            session,
            clock,
            sa.and_(
                col(TimeEntry.started_at) >= utc_param(start),
                col(TimeEntry.started_at) < utc_param(end),
            ),
        )


def entries_for_day(db: Database, clock: Clock, day: date) -> list[EntryView]:
    """The entries that started on a local day, in order."""
    return entries_between(db, clock, *clock.day_bounds(day))


def status(db: Database, clock: Clock) -> Status:
    """The running timer and today's minutes per category (summed in SQL)."""
    now = clock.now()
    start, end = clock.day_bounds(now.date())
    with db.read() as session:
        running = _views(session, clock, col(TimeEntry.ended_at).is_(None))
        rows = session.execute(
            sa.select(col(TimeEntry.category), sa.func.sum(seconds_expr(now)))
            .where(
                col(TimeEntry.started_at) >= utc_param(start),
                col(TimeEntry.started_at) < utc_param(end),
            )
            .group_by(col(TimeEntry.category))
        ).all()
    today = {c: 0 for c in Category}
    for category, seconds in rows:
        today[Category(category)] = (int(seconds or 0) + 30) // 60
    return Status(running[0] if running else None, today)


def edit_entry(
    db: Database,
    clock: Clock,
    entry_id: int,
    *,
    category: Category | str | None = None,
    note: str | None = None,
    item_id: int | Keep | None = Keep.KEEP,
    started_at: datetime | None = None,
    minutes: int | None = None,
) -> EntryView:
    """Change an entry; the same rules as logging apply (no future, 1m to 24h)."""
    now = clock.now()
    with db.write() as session:
        entry = session.get(TimeEntry, entry_id)
        if entry is None:
            raise NotFound(f"no time entry #{entry_id}", "id")
        if category is not None:
            entry.category = (
                category if isinstance(category, Category) else parse_category(category)
            ).value
        if note is not None:
            entry.note = validate.line(note, "note", validate.NOTE_MAX)
        if not isinstance(item_id, Keep):
            _check_item(session, item_id)
            entry.item_id = item_id
        start = started_at if started_at is not None else entry.started_at
        if start > now:
            raise InvalidInput("the start is in the future", "started_at")
        if entry.ended_at is not None:
            length = (
                timedelta(minutes=minutes)
                if minutes is not None
                else entry.ended_at - entry.started_at
            )
            _check_minutes(int(length.total_seconds() // 60) if minutes is None else minutes)
            if start + length > now:
                raise InvalidInput("the entry would end in the future", "duration")
            entry.ended_at = start + length
        elif minutes is not None:
            raise InvalidInput("a running timer has no duration yet: stop it first", "duration")
        entry.started_at = start
        session.flush()
        return _one(session, clock, entry_id)


def delete_entry(db: Database, clock: Clock, entry_id: int) -> EntryView:
    """Delete an entry and return what it held (so it can be put back)."""
    with db.write() as session:
        view = _one(session, clock, entry_id)
        entry = session.get(TimeEntry, entry_id)
        session.delete(entry)
        return view


def restore_entry(db: Database, clock: Clock, view: EntryView) -> EntryView:
    """Put a deleted entry back as it was (undo)."""
    with db.write() as session:
        if view.ended_at is None and _running(session) is not None:
            raise InvalidInput("another timer is running: stop it before restoring this one")
        entry = TimeEntry(
            id=view.id,
            category=view.category.value,
            started_at=view.started_at,
            ended_at=view.ended_at,
            note=view.note,
            item_id=view.item_id,
            created_at=clock.now(),
        )
        session.add(entry)
        session.flush()
        return _one(session, clock, view.id)


def overlapping(entries: list[EntryView], now: datetime) -> set[int]:
    """Ids of entries whose time overlaps another's (a running timer runs to `now`)."""
    spans = sorted((e.started_at, e.ended_at or now, e.id) for e in entries)
    found: set[int] = set()
    latest_end, latest_id = None, None
    for start, end, entry_id in spans:
        if latest_end is not None and start < latest_end:
            found.update((entry_id, latest_id))  # type: ignore[arg-type]
        if latest_end is None or end > latest_end:
            latest_end, latest_id = end, entry_id
    return found


def recent_entries(db: Database, clock: Clock, limit: int = 50) -> list[EntryView]:
    """The latest entries, newest first (for quick-log history and completions)."""
    with db.read() as session:
        return _views(session, clock, sa.true(), col(TimeEntry.started_at).desc(), limit)
