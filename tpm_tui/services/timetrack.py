"""Time tracking: logged entries, the one running timer, and a day's entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tpm_tui.clock import Clock
from tpm_tui.dates import backwards_span, check_day, day_words, local_moment, since_words
from tpm_tui.db import Database
from tpm_tui.durations import format_duration
from tpm_tui.errors import InvalidInput, NotFound, TimerNeedsAnswer
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

    def span(self, today: date | None = None) -> str:
        """`Thu 26 Nov 09:15–10:00` (or `…–now` while running): with the year when it is
        not `today`'s, and the end's day when its time alone would read as the same day
        (`Fri 20 Nov 00:00–Sat 21 Nov 00:00`)."""
        return span_words(self.started_at, self.ended_at, today)

    def times(self) -> str:
        """`09:15–10:00` (`…–now` while running), the span without its day."""
        return span_words(self.started_at, self.ended_at, with_day=False)

    def describe(self) -> str:
        """`45m meetings · sprint planning · #12`, for confirmations."""
        parts = [f"{format_duration(self.minutes)} {self.category.value}"]
        if self.note:
            parts.append(self.note)
        if self.item_id is not None:
            parts.append(f"#{self.item_id} {self.item_title or ''}".rstrip())
        return " · ".join(parts)


def span_words(
    start: datetime, end: datetime | None, today: date | None = None, with_day: bool = True
) -> str:
    """A local span as EntryView.span writes it (`with_day=False`: as EntryView.times)."""

    def day(moment: datetime) -> str:
        return day_words(moment.date(), today or moment.date())

    if end is None:
        until = "now"
    elif end.date() != start.date() and end.time() >= start.time():
        until = f"{day(end)} {end:%H:%M}"
    else:
        until = f"{end:%H:%M}"
    return (f"{day(start)} " if with_day else "") + f"{start:%H:%M}–{until}"


@dataclass(frozen=True)
class EntryPlan:
    """Where a logged entry would go, checked against every rule of logging and not
    yet written (the quick log's preview), with the entries it would overlap."""

    started_at: datetime
    ended_at: datetime
    note: str
    item_title: str | None
    overlaps: tuple[EntryView, ...]

    @property
    def minutes(self) -> int:
        """Its length in whole minutes."""
        return int((self.ended_at - self.started_at).total_seconds() // 60)


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


def _check_item(session: Session, item_id: int | None) -> str | None:
    """The title of item `item_id` (None for no item); refuses an id that does not exist."""
    if item_id is None:
        return None
    item = session.get(WorkItem, item_id)
    if item is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "item_id")
    return item.title


def _check_minutes(minutes: int) -> None:
    if minutes <= 0:
        raise InvalidInput("the duration is zero: log at least 1m", "duration")
    if minutes > MAX_MINUTES:
        raise InvalidInput(
            f"{format_duration(minutes)} is more than a day (24h); split it over several days",
            "duration",
        )


def _overlaps(
    session: Session, clock: Clock, start: datetime, end: datetime, but: int | None = None
) -> list[EntryView]:
    """Entries sharing some time with [start, end) (a running timer runs to now)."""
    ends = sa.func.coalesce(col(TimeEntry.ended_at), utc_param(clock.now()))
    where = sa.and_(col(TimeEntry.started_at) < utc_param(end), ends > utc_param(start))
    if but is not None:
        where = sa.and_(where, col(TimeEntry.id) != but)
    return _views(session, clock, where)


def _place(
    session: Session, clock: Clock, minutes: int, day: date, now: datetime
) -> tuple[datetime, datetime]:
    """Where an entry without a given time goes (as UTC moments): right after the day's
    last entry when it fits before now (before midnight for an earlier day), else
    ending now (at midnight). The arithmetic is in UTC, so a day whose clocks change is
    as long as it really is."""
    length = timedelta(minutes=minutes)
    day_start, day_end = clock.day_bounds(day)
    now = now.astimezone(UTC)
    today = day == clock.local(now).date()
    limit = now if today else day_end
    ended = col(TimeEntry.ended_at)
    last_end = session.execute(
        sa.select(sa.func.max(ended)).where(
            col(TimeEntry.started_at) >= utc_param(day_start),
            col(TimeEntry.started_at) < utc_param(day_end),
            ended.is_not(None),
            *([ended <= utc_param(now)] if today else []),
        )
    ).scalar_one()
    anchor = None if last_end is None else _stored(last_end)
    if not today:
        first = clock.at(day, DAY_STARTS_AT).astimezone(UTC)
        anchor = first if anchor is None else max(first, anchor)
    if anchor is not None and anchor + length <= limit:
        return anchor, anchor + length
    start = limit - length
    if start < day_start:
        if today:
            passed = int((now - day_start).total_seconds() // 60)
            raise InvalidInput(
                f"only {format_duration(passed)} of today has passed: "
                "log the rest with --date yesterday",
                "duration",
            )
        hours = format_duration(int((day_end - day_start).total_seconds() // 60))
        raise InvalidInput(
            f"{day:%a %d %b} has only {hours} (the clocks changed that day): "
            f"log at most {hours} on it",
            "duration",
        )
    return start, limit


def _stored(value: object) -> datetime:
    """A datetime read back from a raw SQL aggregate (text in SQLite), as aware UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _plan(
    session: Session,
    clock: Clock,
    minutes: int | None,
    note: str,
    day: date | None,
    item_id: int | None,
    starts: time | None,
    ends: time | None,
) -> EntryPlan:
    """Every rule of logging, checked without writing: the note, the item, the day
    (accepted range, not in the future), the length (1m to 24h) and where it goes."""
    clean_note = validate.line(note, "note", validate.NOTE_MAX)
    title = _check_item(session, item_id)
    now = clock.now()
    on = check_day(day or now.date(), "the date", "date")
    if on > now.date():
        raise InvalidInput(f"{on} is in the future: log time once it is spent", "date")
    if starts is not None:
        start = local_moment(clock, on, starts).astimezone(UTC)
        if ends is not None:
            if ends == time(0, 0) and starts != ends:  # 22:00-00:00 ends at midnight
                end = clock.day_bounds(on)[1]
            else:
                end = local_moment(clock, on, ends).astimezone(UTC)
            if end <= start:
                raise backwards_span(starts, ends)
            minutes = int((end - start).total_seconds() // 60)
        elif minutes is None:
            raise InvalidInput("say how long, such as 45m, or give a span such as 9:00-9:30")
        _check_minutes(minutes)
        end = start + timedelta(minutes=minutes)
        if end > now:
            raise InvalidInput(
                f"it would end at {clock.local(end):%H:%M} on {clock.local(end):%a %d %b}, "
                "in the future: log time once it is spent",
                "duration",
            )
    else:
        if minutes is None:
            raise InvalidInput("say how long, such as 45m, or give a span such as 9:00-9:30")
        _check_minutes(minutes)
        start, end = _place(session, clock, minutes, on, now)
    return EntryPlan(
        clock.local(start),
        clock.local(end),
        clean_note,
        title,
        tuple(_overlaps(session, clock, start, end)),
    )


def check_entry(
    db: Database,
    clock: Clock,
    minutes: int | None,
    category: Category | str,
    note: str = "",
    *,
    day: date | None = None,
    item_id: int | None = None,
    starts: time | None = None,
    ends: time | None = None,
) -> EntryPlan:
    """What log_entry would save, with the same checks, writing nothing (a preview)."""
    if not isinstance(category, Category):
        parse_category(category)
    with db.read() as session:
        return _plan(session, clock, minutes, note, day, item_id, starts, ends)


def log_entry(
    db: Database,
    clock: Clock,
    minutes: int | None,
    category: Category | str,
    note: str = "",
    *,
    day: date | None = None,
    item_id: int | None = None,
    starts: time | None = None,
    ends: time | None = None,
) -> EntryView:
    """Record time already spent, `minutes` long or the span `starts`-`ends` (local
    times on `day`, today by default); from `starts` when only that is given. Without a
    time it goes right after the day's last entry if it fits before now, else it ends
    now; an earlier day's follows that day's last entry, from 09:00."""
    category = category if isinstance(category, Category) else parse_category(category)
    with db.write() as session:
        plan = _plan(session, clock, minutes, note, day, item_id, starts, ends)
        entry = TimeEntry(
            category=category.value,
            started_at=plan.started_at,
            ended_at=plan.ended_at,
            note=plan.note,
            item_id=item_id,
            created_at=clock.now(),
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        return _one(session, clock, entry.id)


def overlapping_entries(db: Database, clock: Clock, entry: EntryView) -> list[EntryView]:
    """The other entries that share some time with `entry`, in order."""
    with db.read() as session:
        return _overlaps(
            session, clock, entry.started_at, entry.ended_at or clock.now(), but=entry.id
        )


def _running(session: Session) -> TimeEntry | None:
    return session.execute(
        sa.select(TimeEntry).where(col(TimeEntry.ended_at).is_(None))
    ).scalar_one_or_none()


def _finish(session: Session, clock: Clock, entry: TimeEntry, at: datetime) -> Stopped:
    """End a running entry at `at`; one that lasted under a minute is discarded. A clock
    that went back before its start is an error: the timer is never deleted for it."""
    assert entry.id is not None
    elapsed = at - entry.started_at
    if elapsed < timedelta(0):
        started = clock.local(entry.started_at)
        raise InvalidInput(
            f"the clock is before the timer's start ({started:%a %d %b %H:%M}, now "
            f"{clock.local(at):%a %d %b %H:%M}): check the system clock; the timer keeps "
            "running"
        )
    if elapsed < MIN_TIMER:
        view = _one(session, clock, entry.id)
        session.delete(entry)
        session.flush()
        return Stopped(view, kept=False)
    entry.ended_at = at
    session.flush()
    return Stopped(_one(session, clock, entry.id), kept=True)


def _end_running(
    session: Session, clock: Clock, running: TimeEntry, at: datetime | None, now: datetime
) -> Stopped:
    """Stop `running` now, or at `at` (between its start and now); never over 24 hours."""
    end = now if at is None else at
    if at is not None and not (running.started_at < at <= now):
        raise InvalidInput("the stop time must fall between the timer's start and now", "at")
    if end - running.started_at > timedelta(minutes=MAX_MINUTES):
        raise InvalidInput(
            "this timer would run over 24h: stop it with --at HH:MM at the time you stopped",
            "at",
        )
    return _finish(session, clock, running, end)


def timer_question(timer: EntryView, now: datetime) -> str:
    """`the tooling timer has run 25h since yesterday 09:00`: what a forgotten timer asks."""
    return (
        f"the {timer.category.value} timer has run {format_duration(timer.minutes)} "
        f"since {since_words(timer.started_at, now)}"
    )


def start_timer(
    db: Database,
    clock: Clock,
    category: Category | str,
    note: str = "",
    *,
    item_id: int | None = None,
    stop_running_at: datetime | None = None,
    keep_running: bool = False,
) -> TimerStart:
    """Start the timer; a timer already running is stopped first (one runs at most).
    One probably forgotten (needs_confirmation) is not stopped blindly: without
    `stop_running_at` (when it really ended) or `keep_running` (end it now, as it is)
    this raises TimerNeedsAnswer and writes nothing."""
    category = category if isinstance(category, Category) else parse_category(category)
    clean_note = validate.line(note, "note", validate.NOTE_MAX)
    now = clock.now()
    with db.write() as session:
        _check_item(session, item_id)
        stopped = None
        running = _running(session)
        if running is not None:
            assert running.id is not None
            if stop_running_at is None and not keep_running:
                view = _one(session, clock, running.id)
                if needs_confirmation(view, now):
                    raise TimerNeedsAnswer(timer_question(view, now), view)
            stopped = _end_running(session, clock, running, stop_running_at, now)
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
    """A timer left running past midnight or over 10 hours is probably forgotten (one
    that starts after `now`, the clock having gone back, is an error of its own)."""
    if now < timer.started_at:
        return False
    return timer.started_at.date() != now.date() or now - timer.started_at > LONG_TIMER


def stop_time_at(timer: EntryView, clock_time: time, now: datetime, clock: Clock) -> datetime:
    """The moment a stop `--at 17:30` means: that time on the timer's first day, or the
    next day it falls after the start; never in the future. On the night the clocks go
    back, 01:40 is the first 01:40 unless an offset says which (`01:40-05:00`)."""
    day = timer.started_at.date()
    moment = local_moment(clock, day, clock_time)
    before_start = moment <= timer.started_at
    while moment <= timer.started_at and clock_time.tzinfo is None and moment <= now:
        day += timedelta(days=1)
        moment = local_moment(clock, day, clock_time)
    if before_start and (moment <= timer.started_at or moment > now):
        raise InvalidInput(
            f"{clock_time:%H:%M} is before the timer started at "
            f"{since_words(timer.started_at, now)}",
            "at",
        )
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
        return _end_running(session, clock, running, at, now)


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
        check_day(clock.local(start).date(), "the start", "started_at")
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
    """Put a deleted entry back as it was (undo). Its old id may have gone to a newer
    entry since: then it comes back under a new id; the returned view has the one used."""
    with db.write() as session:
        if view.ended_at is None and _running(session) is not None:
            raise InvalidInput("another timer is running: stop it before restoring this one")
        _check_item(session, view.item_id)
        taken = session.get(TimeEntry, view.id) is not None
        entry = TimeEntry(
            id=None if taken else view.id,
            category=view.category.value,
            started_at=view.started_at,
            ended_at=view.ended_at,
            note=view.note,
            item_id=view.item_id,
            created_at=clock.now(),
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        return _one(session, clock, entry.id)


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
