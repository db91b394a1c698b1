"""Rules of logged time and the timer: forgotten timers, clocks that go backwards, undo
after an id is reused, the accepted date range, placement without overlap, explicit
spans and starts, and days whose clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import BERLIN, NOW, location_for
from tpm_tui.clock import Clock
from tpm_tui.dates import (
    DATE_MAX,
    DATE_MIN,
    DateError,
    ambiguity,
    parse_clock_time,
    parse_day,
    parse_week,
)
from tpm_tui.db import Database, open_database
from tpm_tui.errors import InvalidInput, TimerNeedsAnswer
from tpm_tui.services import timetrack, validate
from tpm_tui.services.quicklog import parse_quick_log

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL

NEW_YORK = ZoneInfo("America/New_York")
WED_9 = datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)


def _count(db: Database) -> int:
    with db.orm_read() as session:
        return int(
            session.connection().exec_driver_sql("SELECT count(*) FROM time_entry").scalar() or 0
        )


# ---------------------------------------------------------------- forgotten timers


def test_starting_over_a_forgotten_timer_asks_and_writes_nothing(db: Database) -> None:
    first = timetrack.start_timer(db, Clock(WED_9), "deliverables", "PRD").started
    with pytest.raises(TimerNeedsAnswer) as raised:
        timetrack.start_timer(db, Clock(NOW), "tooling")
    assert raised.value.timer.id == first.id
    assert "has run 25h since yesterday 09:00" in str(raised.value)
    running = timetrack.running_timer(db, Clock(NOW))
    assert running is not None and running.id == first.id and _count(db) == 1


def test_starting_with_the_time_the_forgotten_timer_ended(db: Database) -> None:
    timetrack.start_timer(db, Clock(WED_9), "deliverables", "PRD")
    result = timetrack.start_timer(
        db, Clock(NOW), "tooling", stop_running_at=datetime(2026, 11, 25, 17, 30, tzinfo=BERLIN)
    )
    assert result.stopped is not None and result.stopped.entry.minutes == 8 * 60 + 30
    assert result.started.started_at == NOW


def test_starting_and_keeping_the_forgotten_timer_as_it_is(db: Database) -> None:
    timetrack.start_timer(db, Clock(datetime(2026, 11, 25, 22, 0, tzinfo=BERLIN)), "tooling")
    result = timetrack.start_timer(db, Clock(NOW), "meetings", keep_running=True)
    assert result.stopped is not None and result.stopped.entry.minutes == 12 * 60


def test_keeping_a_timer_over_a_day_is_refused_like_stop(db: Database) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(hours=64)), "tooling")
    with pytest.raises(InvalidInput, match="over 24h"):
        timetrack.start_timer(db, Clock(NOW), "meetings", keep_running=True)
    with pytest.raises(InvalidInput, match="between the timer's start and now"):
        timetrack.start_timer(db, Clock(NOW), "meetings", stop_running_at=NOW + timedelta(hours=1))
    assert _count(db) == 1 and timetrack.running_timer(db, Clock(NOW)) is not None


def test_a_clock_gone_backwards_never_deletes_the_running_timer(db: Database) -> None:
    timetrack.start_timer(db, Clock(NOW), "deliverables", "PRD")
    earlier = Clock(NOW - timedelta(hours=2))
    with pytest.raises(InvalidInput, match="the clock is before the timer's start"):
        timetrack.stop_timer(db, earlier)
    with pytest.raises(InvalidInput, match="the clock is before the timer's start"):
        timetrack.start_timer(db, earlier, "tooling")
    running = timetrack.running_timer(db, Clock(NOW))
    assert running is not None and running.note == "PRD" and _count(db) == 1


def test_stop_at_before_the_start_says_so(db: Database, clock: Clock) -> None:
    timetrack.start_timer(db, Clock(datetime(2026, 11, 26, 9, 19, tzinfo=BERLIN)), "tooling")
    timer = timetrack.running_timer(db, clock)
    assert timer is not None
    with pytest.raises(InvalidInput, match="08:00 is before the timer started at 09:19"):
        timetrack.stop_time_at(timer, time(8, 0), clock.now(), clock)


# ---------------------------------------------------------------- undo after id reuse


@pytest.mark.sqlite_only  # SQLite hands a deleted row's id out again; PostgreSQL never does
def test_restoring_a_deleted_entry_whose_id_was_reused(db: Database, clock: Clock) -> None:
    first = timetrack.log_entry(db, clock, 30, "meetings", "standup")
    gone = timetrack.delete_entry(db, clock, first.id)
    newer = timetrack.log_entry(db, clock, 15, "tooling", "triage")
    assert newer.id == first.id  # SQLite handed the id out again
    back = timetrack.restore_entry(db, clock, gone)
    assert back.id != newer.id
    assert (back.note, back.started_at, back.ended_at) == (
        "standup",
        first.started_at,
        first.ended_at,
    )
    notes = sorted(e.note for e in timetrack.entries_for_day(db, clock, NOW.date()))
    assert notes == ["standup", "triage"]


def test_a_deleted_entry_comes_back_under_its_id(db: Database, clock: Clock) -> None:
    first = timetrack.log_entry(db, clock, 30, "meetings", "standup")
    gone = timetrack.delete_entry(db, clock, first.id)
    back = timetrack.restore_entry(db, clock, gone)
    assert back == first
    later = timetrack.log_entry(db, clock, 15, "tooling", "triage")
    assert later.id != back.id  # the id sequence is not confused by the restore


# ---------------------------------------------------------------- the accepted range


@pytest.mark.parametrize("text", ["1950-06-01", "0001-01-01", "1970-01-01", "9999-12-31"])
def test_days_outside_the_range_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(DateError, match="out of range") as raised:
        parse_day(text, NOW.date())
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("text", ["9999-W52", "0001-W01", "1969-W52", "1970-01-01"])
def test_weeks_outside_the_range_are_refused(text: str) -> None:
    with pytest.raises(DateError, match="out of range"):
        parse_week(text)


def test_quick_log_dates_outside_the_range_are_refused() -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        parse_quick_log("30m m @1950-01-01", NOW.date())


def test_log_entry_refuses_a_day_outside_the_range(db: Database, clock: Clock) -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        timetrack.log_entry(db, clock, 30, "m", day=date(1950, 6, 1))
    assert _count(db) == 0


def test_editing_an_entry_into_a_day_outside_the_range_is_refused(
    db: Database, clock: Clock
) -> None:
    entry = timetrack.log_entry(db, clock, 30, "m")
    with pytest.raises(InvalidInput, match="out of range"):
        timetrack.edit_entry(db, clock, entry.id, started_at=datetime(1950, 6, 1, tzinfo=BERLIN))
    assert timetrack.entries_for_day(db, clock, NOW.date()) == [entry]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT-14", "Etc/GMT+12", "UTC"])
def test_every_moment_of_the_range_fits_what_an_import_accepts(zone: str) -> None:
    """The first local day's entries start after 1970-01-01T00:00Z and the last day's
    (up to 24 h long) end before the import's upper bound, in any time zone."""
    clock = Clock(NOW, ZoneInfo(zone))
    first_start, _ = clock.day_bounds(DATE_MIN)
    _, last_end = clock.day_bounds(DATE_MAX)
    assert validate.moment(first_start, "started_at") == first_start
    assert validate.moment(last_end + timedelta(hours=24), "ended_at")
    assert datetime(1970, 1, 1, 10, tzinfo=UTC) == validate.MOMENT_MIN  # 1970-01-02 at +14
    with pytest.raises(InvalidInput, match="out of range"):
        validate.moment(datetime(1969, 12, 31, 23, 59, tzinfo=UTC), "started_at")


# ---------------------------------------------------------------- placement


def test_a_log_goes_after_the_days_last_entry_when_it_fits_before_now(db: Database) -> None:
    at = lambda h, m: Clock(datetime(2026, 11, 26, h, m, tzinfo=BERLIN))  # noqa: E731
    meeting = timetrack.log_entry(db, at(9, 17), 90, "m")  # 07:47-09:17
    tooling = timetrack.log_entry(db, at(10, 30), 60, "t")  # 09:17-10:17, not 09:30-10:30
    later = timetrack.log_entry(db, at(10, 40), 20, "m")  # 10:17-10:37
    assert (meeting.started_at.time(), meeting.ended_at) == (time(7, 47), at(9, 17).now())
    assert (tooling.started_at.time(), tooling.ended_at.time()) == (time(9, 17), time(10, 17))  # type: ignore[union-attr]
    assert (later.started_at.time(), later.ended_at.time()) == (time(10, 17), time(10, 37))  # type: ignore[union-attr]
    day = timetrack.entries_for_day(db, at(11, 0), NOW.date())
    assert timetrack.overlapping(day, at(11, 0).now()) == set()


def test_a_log_that_does_not_fit_ends_now_and_its_overlap_is_named(
    db: Database, clock: Clock
) -> None:
    first = timetrack.log_entry(db, clock, 9 * 60 + 30, "m")  # 00:30-10:00
    second = timetrack.log_entry(db, clock, 60, "t")  # nothing free for 1h: 09:00-10:00
    assert second.ended_at == NOW
    assert [e.id for e in timetrack.overlapping_entries(db, clock, second)] == [first.id]
    assert timetrack.overlapping_entries(db, clock, first) == [second]


def test_the_preview_check_runs_every_rule_of_the_save(db: Database, clock: Clock) -> None:
    for minutes, day, item in [(25 * 60, None, None), (11 * 60, None, None), (30, None, 999)]:
        with pytest.raises(InvalidInput):
            timetrack.check_entry(db, clock, minutes, "m", day=day, item_id=item)
    plan = timetrack.check_entry(db, clock, 45, "m", "standup")
    saved = timetrack.log_entry(db, clock, 45, "m", "standup")
    assert (plan.started_at, plan.ended_at) == (saved.started_at, saved.ended_at)


# ---------------------------------------------------------------- explicit times


def test_a_span_is_logged_exactly(db: Database, clock: Clock) -> None:
    entry = timetrack.log_entry(db, clock, None, "m", "standup", starts=time(9), ends=time(9, 30))
    assert (entry.started_at, entry.ended_at) == (
        datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN),
        datetime(2026, 11, 26, 9, 30, tzinfo=BERLIN),
    )
    yesterday = timetrack.log_entry(
        db, clock, 45, "m", "planning", day=date(2026, 11, 25), starts=time(14)
    )
    assert (yesterday.started_at.hour, yesterday.minutes) == (14, 45)


@pytest.mark.parametrize(
    ("minutes", "starts", "ends", "message"),
    [
        (None, time(9, 30), time(9, 0), "ends before it starts"),
        (None, time(9, 0), time(11, 0), "in the future"),
        (45, time(9, 30), None, "in the future"),
        (None, time(9, 0), time(9, 0), "ends before it starts"),
    ],
)
def test_spans_that_cannot_be(
    db: Database,
    clock: Clock,
    minutes: int | None,
    starts: time,
    ends: time | None,
    message: str,
) -> None:
    with pytest.raises(InvalidInput, match=message):
        timetrack.log_entry(db, clock, minutes, "m", starts=starts, ends=ends)
    assert _count(db) == 0


# ---------------------------------------------------------------- days whose clocks change


def _ny(db_path: object, now: datetime) -> tuple[Database, Clock]:
    return open_database(location_for(db_path)), Clock(now, NEW_YORK)  # type: ignore[arg-type]


def test_a_23_hour_day_keeps_its_entries_or_refuses(db_path: object) -> None:
    db, clock = _ny(db_path, datetime(2026, 3, 10, 12, 0, tzinfo=NEW_YORK))
    try:
        with pytest.raises(InvalidInput, match="Sun 08 Mar has only 23h"):
            timetrack.log_entry(db, clock, 23 * 60 + 30, "m", day=date(2026, 3, 8))
        entry = timetrack.log_entry(db, clock, 23 * 60, "m", day=date(2026, 3, 8))
        assert entry.started_at == datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)
        assert [e.id for e in timetrack.entries_for_day(db, clock, date(2026, 3, 8))] == [entry.id]
        assert timetrack.entries_for_day(db, clock, date(2026, 3, 7)) == []
    finally:
        db.close()


def test_stop_at_on_the_fall_back_night_takes_the_first_and_the_offset_picks(
    db_path: object,
) -> None:
    db, clock = _ny(db_path, datetime(2026, 11, 1, 3, 0, tzinfo=NEW_YORK))
    try:
        timetrack.start_timer(db, Clock(datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK)), "m")
        timer = timetrack.running_timer(db, clock)
        assert timer is not None
        first = timetrack.stop_time_at(timer, parse_clock_time("01:40"), clock.now(), clock)
        second = timetrack.stop_time_at(timer, parse_clock_time("01:40-05:00"), clock.now(), clock)
        assert first.astimezone(UTC) == datetime(2026, 11, 1, 5, 40, tzinfo=UTC)
        assert second.astimezone(UTC) == datetime(2026, 11, 1, 6, 40, tzinfo=UTC)
        note = ambiguity(clock, first)
        assert (
            note is not None
            and note.first
            and (note.taken, note.other) == ("01:40-04:00", "01:40-05:00")
        )
        assert ambiguity(clock, clock.now()) is None
        with pytest.raises(InvalidInput, match="not a time of day here"):
            timetrack.stop_time_at(timer, parse_clock_time("01:40+01:00"), clock.now(), clock)
    finally:
        db.close()


def test_a_time_the_clocks_skipped_is_refused(db_path: object) -> None:
    db, clock = _ny(db_path, datetime(2026, 3, 8, 12, 0, tzinfo=NEW_YORK))
    try:
        with pytest.raises(InvalidInput, match="02:30 does not exist"):
            timetrack.log_entry(db, clock, 30, "m", starts=time(2, 30))
    finally:
        db.close()


def test_clock_times_with_an_offset() -> None:
    assert parse_clock_time("01:40+01:00") == time(1, 40, tzinfo=timezone(timedelta(hours=1)))
    assert parse_clock_time("01:40-04:00").utcoffset() == timedelta(hours=-4)
    with pytest.raises(DateError):
        parse_clock_time("01:40+25:00")


def test_the_range_constants() -> None:
    assert date(1970, 1, 2) == DATE_MIN and date(2199, 12, 31) == DATE_MAX
    assert validate.DATE_MIN == DATE_MIN and validate.DATE_MAX == DATE_MAX
