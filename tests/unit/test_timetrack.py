"""Time entries: logging, the single timer, editing and deleting."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import BERLIN, NOW, Seeded
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound, StorageError
from tpm_tui.kinds import parse_category
from tpm_tui.models import Category
from tpm_tui.services import timetrack

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


def test_category_prefixes() -> None:
    assert parse_category("m") is Category.MEETINGS
    assert parse_category("Meet") is Category.MEETINGS
    assert parse_category("t") is Category.TOOLING
    assert parse_category("deliverables") is Category.DELIVERABLES
    with pytest.raises(InvalidInput, match="meetings, tooling, deliverables"):
        parse_category("x")
    with pytest.raises(InvalidInput):
        parse_category("")


def test_log_today_ends_now(db: Database, clock: Clock) -> None:
    entry = timetrack.log_entry(db, clock, 45, "m", "sprint planning")
    assert entry.ended_at == NOW
    assert entry.started_at == NOW - timedelta(minutes=45)
    assert (entry.minutes, entry.category, entry.note) == (45, Category.MEETINGS, "sprint planning")


def test_log_on_an_earlier_day_stacks_from_nine(db: Database, clock: Clock) -> None:
    first = timetrack.log_entry(db, clock, 60, "tooling", day=date(2026, 11, 24))
    second = timetrack.log_entry(db, clock, 30, "deliverables", day=date(2026, 11, 24))
    assert first.started_at == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert second.started_at == first.ended_at
    assert second.ended_at == datetime(2026, 11, 24, 10, 30, tzinfo=BERLIN)


def test_a_full_day_ends_at_midnight(db: Database, clock: Clock) -> None:
    timetrack.log_entry(db, clock, 14 * 60, "tooling", day=date(2026, 11, 24))  # 09:00-23:00
    timetrack.log_entry(db, clock, 9 * 60, "tooling", day=date(2026, 11, 24))  # 00:00-09:00
    late = timetrack.log_entry(db, clock, 3 * 60, "meetings", day=date(2026, 11, 24))
    assert late.ended_at == datetime(2026, 11, 25, 0, 0, tzinfo=BERLIN)
    assert late.started_at.date() == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("minutes", "day", "message"),
    [
        (0, None, "duration is zero"),
        (24 * 60 + 1, None, "more than a day"),
        (30, date(2026, 11, 27), "in the future"),
        (11 * 60, None, "only 10h of today has passed"),
    ],
)
def test_log_refusals(
    db: Database, clock: Clock, minutes: int, day: date | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        timetrack.log_entry(db, clock, minutes, "meetings", day=day)
    assert timetrack.status(db, clock).today_total == 0


def test_log_refuses_an_unknown_item(db: Database, clock: Clock) -> None:
    with pytest.raises(NotFound, match="no item #77"):
        timetrack.log_entry(db, clock, 30, "tooling", item_id=77)


def test_log_links_an_item(seeded: Seeded, clock: Clock) -> None:
    entry = timetrack.log_entry(seeded.db, clock, 30, "tooling", "grooming", item_id=seeded.story)
    assert entry.item_title == "Export invoices"
    assert entry.describe() == f"30m tooling · grooming · #{seeded.story} Export invoices"


def test_one_timer_at_most_starting_stops_the_other(db: Database) -> None:
    start_clock = Clock(NOW - timedelta(hours=1))
    first = timetrack.start_timer(db, start_clock, "meetings", "standup")
    assert first.stopped is None
    result = timetrack.start_timer(db, Clock(NOW), "tooling")
    assert result.stopped is not None and result.stopped.kept
    assert result.stopped.entry.id == first.started.id
    assert result.stopped.entry.minutes == 60 and result.stopped.entry.ended_at == NOW
    running = timetrack.running_timer(db, Clock(NOW + timedelta(minutes=25)))
    assert running is not None and running.category is Category.TOOLING and running.minutes == 25


def test_the_database_itself_allows_one_running_timer(db: Database, clock: Clock) -> None:
    from tpm_tui.models import TimeEntry

    timetrack.start_timer(db, clock, "meetings")
    with pytest.raises(StorageError) as raised, db.orm_write() as session:
        session.add(
            TimeEntry(category="tooling", started_at=NOW, note="", created_at=NOW, person=db.person)
        )
        session.flush()
    assert isinstance(raised.value.__cause__, sa.exc.IntegrityError)


def test_stop_now_and_at_a_time(db: Database) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(hours=2)), "deliverables", "PRD")
    stopped = timetrack.stop_timer(db, Clock(NOW)).entry
    assert stopped.minutes == 120 and not stopped.running
    with pytest.raises(InvalidInput, match="no timer is running"):
        timetrack.stop_timer(db, Clock(NOW))
    timetrack.start_timer(db, Clock(datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)), "tooling")
    clock = Clock(NOW)
    timer = timetrack.running_timer(db, clock)
    assert timer is not None and timetrack.needs_confirmation(timer, clock.now())
    at = timetrack.stop_time_at(timer, time(17, 30), clock.now(), clock)
    assert at == datetime(2026, 11, 25, 17, 30, tzinfo=BERLIN)
    ended = timetrack.stop_timer(db, clock, at=at).entry
    assert ended.minutes == 8 * 60 + 30


def test_stop_at_refuses_the_future_and_a_time_before_the_start(db: Database, clock: Clock) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(hours=1)), "tooling")
    timer = timetrack.running_timer(db, clock)
    assert timer is not None
    with pytest.raises(InvalidInput, match="still in the future"):
        timetrack.stop_time_at(timer, time(11, 0), clock.now(), clock)
    with pytest.raises(InvalidInput, match="between the timer's start and now"):
        timetrack.stop_timer(db, clock, at=NOW - timedelta(hours=2))
    assert timetrack.running_timer(db, clock) is not None


def test_a_timer_that_ran_under_a_minute_is_discarded(db: Database, clock: Clock) -> None:
    timetrack.start_timer(db, clock, "meetings")
    result = timetrack.start_timer(db, Clock(NOW + timedelta(seconds=59)), "tooling")
    assert result.stopped is not None and not result.stopped.kept
    assert result.stopped.describe() == "discarded the meetings timer: it ran under a minute"
    with db.orm_read() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM time_entry").scalar() == 1


def test_status_counts_today_and_the_running_timer(db: Database, clock: Clock) -> None:
    timetrack.log_entry(db, clock, 30, "meetings")
    timetrack.log_entry(db, clock, 60, "tooling", day=date(2026, 11, 25))  # yesterday: not today
    timetrack.start_timer(db, Clock(NOW - timedelta(minutes=20)), "deliverables")
    current = timetrack.status(db, clock)
    assert current.running is not None and current.running.minutes == 20
    assert current.today == {Category.MEETINGS: 30, Category.TOOLING: 0, Category.DELIVERABLES: 20}
    assert current.today_total == 50


def test_edit_with_the_same_rules(db: Database, clock: Clock, seeded: Seeded) -> None:
    entry = timetrack.log_entry(db, clock, 30, "meetings", "standup")
    edited = timetrack.edit_entry(
        db, clock, entry.id, category="t", note="triage", minutes=20, item_id=seeded.story
    )
    assert (edited.category, edited.note, edited.minutes, edited.item_id) == (
        Category.TOOLING,
        "triage",
        20,
        seeded.story,
    )
    with pytest.raises(InvalidInput, match="end in the future"):
        timetrack.edit_entry(db, clock, entry.id, minutes=60)
    with pytest.raises(InvalidInput, match="more than a day"):
        timetrack.edit_entry(
            db, clock, entry.id, started_at=NOW - timedelta(days=3), minutes=25 * 60
        )
    assert timetrack.entries_for_day(db, clock, NOW.date())[0].minutes == 20


def test_delete_and_restore(db: Database, clock: Clock) -> None:
    entry = timetrack.log_entry(db, clock, 30, "meetings", "standup")
    gone = timetrack.delete_entry(db, clock, entry.id)
    assert timetrack.entries_for_day(db, clock, NOW.date()) == []
    back = timetrack.restore_entry(db, clock, gone)
    assert back == entry


def test_overlaps_and_recent_entries(db: Database, clock: Clock) -> None:
    a = timetrack.log_entry(db, clock, 60, "meetings", "a")  # 09:00-10:00
    b = timetrack.log_entry(db, clock, 30, "tooling", "b", starts=time(9, 30))  # overlaps a
    c = timetrack.log_entry(db, clock, 30, "tooling", "c", day=date(2026, 11, 25))
    entries = timetrack.entries_for_day(db, clock, NOW.date())
    assert timetrack.overlapping(entries, NOW) == {a.id, b.id}
    assert (
        timetrack.overlapping(timetrack.entries_for_day(db, clock, c.started_at.date()), NOW)
        == set()
    )
    assert [e.note for e in timetrack.recent_entries(db, clock, limit=2)] == ["b", "a"]
