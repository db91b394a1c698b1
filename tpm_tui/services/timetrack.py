"""Time tracking: logged entries, the one running timer, and a day's entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.dates import backwards_span, check_day, day_words, local_moment, since_words
from tpm_tui.db import Database
from tpm_tui.durations import format_duration
from tpm_tui.errors import InvalidInput, NotFound, TimerNeedsAnswer
from tpm_tui.kinds import Category, parse_category
from tpm_tui.services import validate
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor
from tpm_tui.sql.stmt import Stmt

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


def _view(clock: Clock, row: tuple[Any, ...]) -> EntryView:
    entry_id, category, started, ended, seconds, note, item_id, title = row
    return EntryView(
        id=entry_id,
        category=Category(category),
        started_at=clock.local(started),
        ended_at=clock.local(ended) if ended is not None else None,
        seconds=int(seconds or 0),  # never below 0: see statements._entry_seconds
        note=note,
        item_id=item_id,
        item_title=title,
    )


def _views(ex: Executor, clock: Clock, stmt: Stmt, **params: Any) -> list[EntryView]:
    return [_view(clock, row) for row in ex.rows(stmt, now=clock.now(), **params)]


def _one(ex: Executor, clock: Clock, entry_id: int) -> EntryView:
    found = _views(ex, clock, q.entry_by_id, id=entry_id)
    if not found:
        raise NotFound(f"no time entry #{entry_id}", "id")
    return found[0]


def _check_item(ex: Executor, item_id: int | None) -> str | None:
    """The title of item `item_id` (None for no item); refuses an id that does not exist."""
    if item_id is None:
        return None
    title = ex.scalar(q.item_title, id=item_id)
    if title is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "item_id")
    return str(title)


def _check_minutes(minutes: int) -> None:
    if minutes <= 0:
        raise InvalidInput("the duration is zero: log at least 1m", "duration")
    if minutes > MAX_MINUTES:
        raise InvalidInput(
            f"{format_duration(minutes)} is more than a day (24h); split it over several days",
            "duration",
        )


def _overlaps(
    ex: Executor, clock: Clock, start: datetime, end: datetime, but: int | None = None
) -> list[EntryView]:
    """Entries sharing some time with [start, end) (a running timer runs to now)."""
    return _views(ex, clock, q.entries_overlapping, start=start, end=end, but=but)


def _place(
    ex: Executor, clock: Clock, minutes: int, day: date, now: datetime
) -> tuple[datetime, datetime]:
    """Where an entry without a given time goes (as UTC moments): right after the day's
    last entry when it fits before now (before midnight for an earlier day, from 09:00);
    else in the latest free stretch of the day long enough for it, ending where that
    stretch ends (so entries logged in a row never overlap while the day has room);
    else ending now (at midnight), overlapping. The arithmetic is in UTC, so a day
    whose clocks change is as long as it really is."""
    length = timedelta(minutes=minutes)
    day_start, day_end = clock.day_bounds(day)
    now = now.astimezone(UTC)
    today = day == clock.local(now).date()
    limit = now if today else day_end
    anchor = ex.scalar(
        q.entries_last_end_on_day, start=day_start, end=day_end, until=now if today else None
    )
    if not today:
        first = clock.at(day, DAY_STARTS_AT).astimezone(UTC)
        anchor = first if anchor is None else max(first, anchor)
    gaps = _free_stretches(ex, clock, day_start, limit, now)
    if anchor is not None and any(s <= anchor and anchor + length <= e for s, e in gaps):
        return anchor, anchor + length
    for gap_start, gap_end in reversed(gaps):
        if gap_end - gap_start >= length:
            return gap_end - length, gap_end
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


def _free_stretches(
    ex: Executor, clock: Clock, start: datetime, end: datetime, now: datetime
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) no entry covers (a running timer covers up to
    now), in order, as UTC moments."""
    free: list[tuple[datetime, datetime]] = []
    cursor = start
    for entry in _overlaps(ex, clock, start, end):
        taken_from = entry.started_at.astimezone(UTC)
        if taken_from > cursor:
            free.append((cursor, taken_from))
        taken_to = (entry.ended_at or now).astimezone(UTC)
        cursor = max(cursor, taken_to)
    if cursor < end:
        free.append((cursor, end))
    return free


def _plan(
    ex: Executor,
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
    title = _check_item(ex, item_id)
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
        start, end = _place(ex, clock, minutes, on, now)
    return EntryPlan(
        clock.local(start),
        clock.local(end),
        clean_note,
        title,
        tuple(_overlaps(ex, clock, start, end)),
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
    with db.read() as ex:
        return _plan(ex, clock, minutes, note, day, item_id, starts, ends)


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
    time it goes right after the day's last entry if it fits before now (an earlier
    day's from 09:00), else in the day's latest free stretch long enough for it, else
    it ends now (see _place)."""
    category = category if isinstance(category, Category) else parse_category(category)
    with db.write() as ex:
        plan = _plan(ex, clock, minutes, note, day, item_id, starts, ends)
        entry_id = ex.scalar(
            q.entry_insert,
            category=category.value,
            started_at=plan.started_at,
            ended_at=plan.ended_at,
            note=plan.note,
            item_id=item_id,
            created_at=clock.now(),
            external_id=None,
        )
        return _one(ex, clock, int(entry_id))


def overlapping_entries(db: Database, clock: Clock, entry: EntryView) -> list[EntryView]:
    """The other entries that share some time with `entry`, in order."""
    with db.read() as ex:
        return _overlaps(ex, clock, entry.started_at, entry.ended_at or clock.now(), but=entry.id)


def _save_entry(ex: Executor, entry: dict[str, Any]) -> None:
    fields = {name: value for name, value in entry.items() if name != "id"}
    ex.run(q.entry_update, row_id=entry["id"], **fields)


def _running(ex: Executor) -> dict[str, Any] | None:
    return ex.record(q.entry_row_running)


def _finish(ex: Executor, clock: Clock, entry: dict[str, Any], at: datetime) -> Stopped:
    """End a running entry at `at`; one that lasted under a minute is discarded. A clock
    that went back before its start is an error: the timer is never deleted for it."""
    elapsed = at - entry["started_at"]
    if elapsed < timedelta(0):
        started = clock.local(entry["started_at"])
        raise InvalidInput(
            f"the clock is before the timer's start ({started:%a %d %b %H:%M}, now "
            f"{clock.local(at):%a %d %b %H:%M}): check the system clock; the timer keeps "
            "running"
        )
    if elapsed < MIN_TIMER:
        view = _one(ex, clock, entry["id"])
        ex.run(q.entry_delete, id=entry["id"])
        return Stopped(view, kept=False)
    _save_entry(ex, {**entry, "ended_at": at})
    return Stopped(_one(ex, clock, entry["id"]), kept=True)


def _end_running(
    ex: Executor, clock: Clock, running: dict[str, Any], at: datetime | None, now: datetime
) -> Stopped:
    """Stop `running` now, or at `at` (between its start and now); never over 24 hours."""
    started = running["started_at"]
    end = now if at is None else at
    if at is not None and not (started < at <= now):
        raise InvalidInput("the stop time must fall between the timer's start and now", "at")
    if end - started > timedelta(minutes=MAX_MINUTES):
        raise InvalidInput(
            "this timer would run over 24h: stop it with --at HH:MM at the time you stopped",
            "at",
        )
    return _finish(ex, clock, running, end)


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
    with db.write() as ex:
        clean_note, now, _ = _timer_checks(ex, clock, note, item_id)
        stopped = None
        running = _running(ex)
        if running is not None:
            if stop_running_at is None and not keep_running:
                view = _one(ex, clock, running["id"])
                if needs_confirmation(view, now):
                    raise TimerNeedsAnswer(timer_question(view, now), view)
            stopped = _end_running(ex, clock, running, stop_running_at, now)
        entry_id = ex.scalar(
            q.entry_insert,
            category=category.value,
            started_at=now,
            ended_at=None,
            note=clean_note,
            item_id=item_id,
            created_at=now,
            external_id=None,
        )
        return TimerStart(_one(ex, clock, int(entry_id)), stopped)


def _timer_checks(
    ex: Executor, clock: Clock, note: str, item_id: int | None
) -> tuple[str, datetime, str | None]:
    """Every rule of starting a timer: its note (cleaned), the moment it starts (a clock
    far off is refused here) and its item's title (the item must exist)."""
    clean_note = validate.line(note, "note", validate.NOTE_MAX)
    now = validate.moment(clock.now(), "started_at")
    return clean_note, now, _check_item(ex, item_id)


def check_timer(db: Database, clock: Clock, note: str, item_id: int | None) -> str | None:
    """What start_timer would refuse, writing nothing (a preview): the item's title."""
    with db.read() as ex:
        return _timer_checks(ex, clock, note, item_id)[2]


def running_timer(db: Database, clock: Clock) -> EntryView | None:
    """The running timer, with its elapsed seconds, or None."""
    with db.read() as ex:
        found = _views(ex, clock, q.entry_running)
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
    with db.write() as ex:
        running = _running(ex)
        if running is None:
            raise InvalidInput("no timer is running: `tpm start CATEGORY` starts one")
        return _end_running(ex, clock, running, at, now)


def entries_between(db: Database, clock: Clock, start: datetime, end: datetime) -> list[EntryView]:
    """Entries starting in [start, end), in order."""
    with db.read() as ex:
        return _views(ex, clock, q.entries_between, start=start, end=end)


def entries_for_day(db: Database, clock: Clock, day: date) -> list[EntryView]:
    """The entries that started on a local day, in order."""
    return entries_between(db, clock, *clock.day_bounds(day))


def status(db: Database, clock: Clock) -> Status:
    """The running timer and today's minutes per category (summed in SQL)."""
    now = clock.now()
    start, end = clock.day_bounds(now.date())
    with db.read() as ex:
        running = _views(ex, clock, q.entry_running)
        rows = ex.rows(q.seconds_by_category_between, now=now, start=start, end=end)
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
    with db.write() as ex:
        entry = ex.record(q.entry_row, id=entry_id)
        if entry is None:
            raise NotFound(f"no time entry #{entry_id}", "id")
        if category is not None:
            entry["category"] = (
                category if isinstance(category, Category) else parse_category(category)
            ).value
        if note is not None:
            entry["note"] = validate.line(note, "note", validate.NOTE_MAX)
        if not isinstance(item_id, Keep):
            _check_item(ex, item_id)
            entry["item_id"] = item_id
        start = started_at if started_at is not None else entry["started_at"]
        check_day(clock.local(start).date(), "the start", "started_at")
        if start > now:
            raise InvalidInput("the start is in the future", "started_at")
        if entry["ended_at"] is not None:
            length = (
                timedelta(minutes=minutes)
                if minutes is not None
                else entry["ended_at"] - entry["started_at"]
            )
            _check_minutes(int(length.total_seconds() // 60) if minutes is None else minutes)
            if start + length > now:
                raise InvalidInput("the entry would end in the future", "duration")
            entry["ended_at"] = start + length
        elif minutes is not None:
            raise InvalidInput("a running timer has no duration yet: stop it first", "duration")
        entry["started_at"] = start
        _save_entry(ex, entry)
        return _one(ex, clock, entry_id)


def delete_entry(db: Database, clock: Clock, entry_id: int) -> EntryView:
    """Delete an entry and return what it held (so it can be put back)."""
    with db.write() as ex:
        view = _one(ex, clock, entry_id)
        ex.run(q.entry_delete, id=entry_id)
        return view


def restore_entry(db: Database, clock: Clock, view: EntryView) -> EntryView:
    """Put a deleted entry back as it was (undo). Its old id may have gone to a newer
    entry since: then it comes back under a new id; the returned view has the one used."""
    with db.write() as ex:
        if view.ended_at is None and _running(ex) is not None:
            raise InvalidInput("another timer is running: stop it before restoring this one")
        _check_item(ex, view.item_id)
        fields = {
            "category": view.category.value,
            "started_at": view.started_at,
            "ended_at": view.ended_at,
            "note": view.note,
            "item_id": view.item_id,
            "created_at": clock.now(),
            "external_id": None,
        }
        if ex.record(q.entry_row, id=view.id) is None:
            ex.run(q.entry_insert_with_id, id=view.id, **fields)
            entry_id = view.id
        else:
            entry_id = int(ex.scalar(q.entry_insert, **fields))
        return _one(ex, clock, entry_id)


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
    with db.read() as ex:
        return _views(ex, clock, q.entries_recent, limit=limit)
