"""`tpm meetings FILE.ics`: recurrences (exception, EXDATE, moved occurrence), two time
zones across Berlin's DST change of 2026-03-29, skipped events, rules, and re-runs that
change nothing or move what the calendar moved."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import run_tpm
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.importers.calendar import (
    Meeting,
    log_meetings,
    parse_emails,
    parse_rules,
    plan_meetings,
    read_calendar,
    show_rules,
)
from tpm_tui.services import settings, timetrack

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL

ICS = Path(__file__).parent.parent / "fixtures" / "calendar" / "team.ics"
ME = frozenset({"me@example.com"})


def read(
    clock: Clock, first: date, days: int = 7, data: bytes | None = None, **kw: object
) -> list[Meeting]:
    start, end = clock.day_bounds(first, days)
    raw = ICS.read_bytes() if data is None else data
    return read_calendar(raw, "team.ics", start, end, **kw)  # type: ignore[arg-type]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_weekly_recurrence_with_exdate_moved_occurrence_and_dst(clock: Clock) -> None:
    found = [m for m in read(clock, date(2026, 3, 16), 28) if m.title.startswith("Team")]
    # 23 Mar is an EXDATE; 30 Mar moved to 31 Mar 10:00; Berlin's clocks went forward
    # on 29 Mar, so 09:30 local is 08:30 UTC before and 07:30 UTC after.
    assert [(m.start, m.title) for m in found] == [
        (utc(2026, 3, 16, 8, 30), "Team standup"),
        (utc(2026, 3, 31, 8, 0), "Team standup (moved)"),
        (utc(2026, 4, 6, 7, 30), "Team standup"),
    ]
    assert [m.external_id for m in found] == [
        "standup-1@example.com|20260316T083000Z",
        "standup-1@example.com|20260330T073000Z",  # the occurrence it replaces
        "standup-1@example.com|20260406T073000Z",
    ]


def test_a_second_time_zone_across_both_dst_changes(clock: Clock) -> None:
    sync = [m for m in read(clock, date(2026, 3, 16), 28) if m.title.startswith("Sync")]
    # 11:00 in New York is 15:00 UTC (EDT from 8 March) on all three Thursdays.
    assert [m.start for m in sync] == [
        utc(2026, 3, 19, 15),
        utc(2026, 3, 26, 15),
        utc(2026, 4, 2, 15),
    ]
    assert all(m.minutes == 45 for m in sync)


def test_skipped_events_say_why(clock: Clock) -> None:
    rules = parse_rules("Focus time=deliverables; lunch=skip")
    found = {m.title: m for m in read(clock, date(2026, 3, 23), me=ME, rules=rules)}
    assert found["Vendor pitch"].skip == "declined"  # PARTSTAT of ME@example.com, any case
    assert found["Offsite"].skip == "all day"
    assert found["Budget review"].skip == "cancelled"
    assert found["Conference talk (optional)"].skip == "free"
    assert found["Lunch"].skip == "rule lunch"
    assert (found["Focus time"].skip, found["Focus time"].category) == ("", "deliverables")
    assert (found["Sprint planning"].minutes, found["Sprint planning"].skip) == (90, "")
    # Without the user's address, a declined event cannot be known as declined.
    assert {m.title: m for m in read(clock, date(2026, 3, 23))}["Vendor pitch"].skip == ""


def test_rules_and_emails_parse_and_refuse(db: Database) -> None:
    assert show_rules(parse_rules("Focus*=d;\nLunch = skip")) == "Focus*=deliverables; Lunch=skip"
    assert parse_rules("focus*=d")[0].matches("Focus time Tuesday")
    assert not parse_rules("focus*=d")[0].matches("Team focus")
    with pytest.raises(InvalidInput, match="TITLE=CATEGORY"):
        parse_rules("no equals sign")
    with pytest.raises(InvalidInput, match="unknown category"):
        parse_rules("Lunch=eat")
    assert parse_emails("Me@Example.com; mailto:x@y.org") == {"me@example.com", "x@y.org"}
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        parse_emails("me")
    assert settings.set_setting(db, "meeting-rules", "Focus time = d") == "Focus time=deliverables"
    assert settings.set_setting(db, "email", "ME@example.com") == "me@example.com"


def test_apply_twice_logs_once_and_a_moved_meeting_moves_its_entry(
    db: Database, clock: Clock
) -> None:
    first = date(2026, 3, 16)
    found = read(clock, first, 28, me=ME)
    plans = plan_meetings(db, clock, found)
    adds = [p for p in plans if p.action == "add"]
    assert len(adds) == 9
    done = log_meetings(db, clock, found)
    assert (done.added, done.moved) == (9, 0)
    start, end = clock.day_bounds(first, 28)
    entries = timetrack.entries_between(db, clock, start, end)
    assert len(entries) == 9 and {e.category.value for e in entries} == {"meetings"}
    again = log_meetings(db, clock, read(clock, first, 28, me=ME))
    assert (again.added, again.moved, again.same) == (0, 0, 9)
    assert len(timetrack.entries_between(db, clock, start, end)) == 9
    # The organiser moves the 31 March standup to 11:00: the same entry moves.
    moved = (
        ICS.read_bytes()
        .replace(b"20260331T100000", b"20260331T110000")
        .replace(b"20260331T101500", b"20260331T111500")
    )
    plans = plan_meetings(db, clock, read(clock, first, 28, data=moved, me=ME))
    assert [p.action for p in plans if p.action not in ("same", "skip")] == ["move"]
    third = log_meetings(db, clock, read(clock, first, 28, data=moved, me=ME))
    assert (third.added, third.moved) == (0, 1)
    starts = sorted(e.started_at for e in timetrack.entries_between(db, clock, start, end))
    assert utc(2026, 3, 31, 9) in starts and utc(2026, 3, 31, 8) not in starts


def test_only_the_ticked_events_are_logged_and_overlaps_are_marked(
    db: Database, clock: Clock
) -> None:
    found = read(clock, date(2026, 3, 23), me=ME)
    at = Clock(datetime(2026, 3, 26, 12, 0, tzinfo=clock.now().tzinfo))
    planning = next(m for m in found if m.title == "Sprint planning")
    # Something logged by hand over planning's time first.
    entry = timetrack.log_entry(
        db,
        at,
        30,
        "t",
        "review",
        day=date(2026, 3, 26),
        starts=planning.start.astimezone(clock.now().tzinfo).time(),
    )
    plans = {p.meeting.title: p for p in plan_meetings(db, clock, found)}
    assert plans["Sprint planning"].overlaps == (entry.id,)
    assert plans["Focus time"].overlaps == ()
    done = log_meetings(db, clock, found, only={plans["Focus time"].key})
    assert (done.added, done.skipped) == (1, 7)  # 5 skipped, 2 not ticked


def test_meetings_not_over_yet_are_not_logged(db: Database) -> None:
    during = Clock(datetime(2026, 3, 26, 10, 0, tzinfo=UTC))
    found = read(during, date(2026, 3, 23), me=ME)
    plans = {p.meeting.title: p for p in plan_meetings(db, during, found)}
    assert plans["Sprint planning"].meeting.skip == "not over yet"
    assert plans["Focus time"].action == "add"


@pytest.mark.parametrize(
    "data", [b"", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b"\xff\xfe garbage", b"hello"]
)
def test_a_broken_file_is_refused_in_one_line(clock: Clock, data: bytes) -> None:
    try:
        found = read(clock, date(2026, 3, 23), data=data)
    except InvalidInput as refused:
        assert "team.ics" in str(refused) and "\n" not in str(refused)
    else:
        assert found == []


def test_cli_preview_apply_and_json(tmp_path: Path) -> None:
    db_path = tmp_path / "ws.db"
    week = ("meetings", str(ICS), "--week", "2026-W13", "--me", "me@example.com")
    preview = run_tpm(*week, db_path=db_path)
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("would log 4 meetings (5h15m), would move 0;")
    assert "Vendor pitch" in preview.stdout and "skip: declined" in preview.stdout
    applied = run_tpm(*week, "--apply", db_path=db_path)
    assert applied.stdout.startswith("logged 4 meetings")
    again = run_tpm(*week, "--apply", "--format", "json", db_path=db_path)
    actions = [m["action"] for m in json.loads(again.stdout)["meetings"]]
    assert "add" not in actions and actions.count("same") == 4
    bad = run_tpm("meetings", str(ICS), "--from", "2026-03-01", db_path=db_path)
    assert bad.returncode == 2 and "--from and --to go together" in bad.stderr
    assert run_tpm("config", "meetings-file", db_path=db_path).stdout.strip() == str(ICS)


def test_a_backup_with_one_event_logged_twice_is_refused(db: Database, clock: Clock) -> None:
    from tpm_tui.services.transfer import check_import, export_workspace

    log_meetings(db, clock, read(clock, date(2026, 3, 23), me=ME))
    data = export_workspace(db, clock)
    data["time_entries"][1]["external_id"] = data["time_entries"][0]["external_id"]
    with pytest.raises(InvalidInput, match=r"time_entries\[1\].*logged twice"):
        check_import(data, clock)
    data["time_entries"][1]["external_id"] = None
    check_import(data, clock)


def test_a_meeting_cancelled_or_declined_since_removes_its_entry(
    db: Database, clock: Clock
) -> None:
    first = date(2026, 3, 23)
    log_meetings(db, clock, read(clock, first, me=ME))
    start, end = clock.day_bounds(first, 7)
    notes = {e.note for e in timetrack.entries_between(db, clock, start, end)}
    assert {"Focus time", "Sprint planning"} <= notes
    changed = (
        ICS.read_bytes()
        .replace(b"SUMMARY:Focus time\r\n", b"SUMMARY:Focus time\r\nSTATUS:CANCELLED\r\n")
        .replace(
            b"SUMMARY:Sprint planning\r\n",
            b"SUMMARY:Sprint planning\r\nATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com\r\n",
        )
    )
    plans = {
        p.meeting.title: p
        for p in plan_meetings(db, clock, read(clock, first, data=changed, me=ME))
    }
    assert (plans["Focus time"].action, plans["Sprint planning"].action) == ("remove", "remove")
    done = log_meetings(db, clock, read(clock, first, data=changed, me=ME))
    assert done.removed == 2
    notes = {e.note for e in timetrack.entries_between(db, clock, start, end)}
    assert "Focus time" not in notes and "Sprint planning" not in notes
    again = log_meetings(db, clock, read(clock, first, data=changed, me=ME))
    assert (again.added, again.removed) == (0, 0)


def test_a_single_event_moved_in_the_calendar_moves_its_entry(db: Database, clock: Clock) -> None:
    first = date(2026, 3, 23)
    log_meetings(db, clock, read(clock, first, me=ME))
    moved = ICS.read_bytes().replace(b"20260326T100000", b"20260327T130000")
    done = log_meetings(db, clock, read(clock, first, data=moved, me=ME))
    assert (done.added, done.moved) == (0, 1)
    start, end = clock.day_bounds(first, 7)
    planning = [
        e for e in timetrack.entries_between(db, clock, start, end) if e.note == "Sprint planning"
    ]
    assert [(e.started_at, e.minutes) for e in planning] == [(utc(2026, 3, 27, 12), 90)]


def test_events_recurring_more_often_than_daily_are_dropped(clock: Clock) -> None:
    rules = ["RRULE:FREQ=SECONDLY", "RRULE:FREQ=MINUTELY;INTERVAL=5", "RRULE:FREQ=HOURLY"]
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:fast{n}\r\nSUMMARY:Fast\r\nDTSTART:20261123T000000Z\r\n"
        f"DURATION:PT1M\r\n{rule}\r\nEND:VEVENT\r\n"
        for n, rule in enumerate(rules)
    )
    slow = "BEGIN:VEVENT\r\nUID:slow\r\nSUMMARY:Daily\r\nDTSTART:20261123T090000Z\r\n"
    slow += "DURATION:PT15M\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}{slow}END:VCALENDAR\r\n".encode()
    found = read(clock, date(2026, 11, 23), data=data)
    assert [m.title for m in found] == ["Daily"] * 7
