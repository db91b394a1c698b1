"""The Friday status report: a seeded week, byte for byte against a golden file (frozen
clock), and the figures it shows traced to the queries behind them."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.conftest import BERLIN, Seeded
from tpm_tui.clock import Clock
from tpm_tui.services import backlog, goals, planning, status_report, timetrack

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL

GOLDEN = Path(__file__).with_name("golden") / "status_report_w48.md"


def _at(day: int, hour: int) -> Clock:
    return Clock(datetime(2026, 11, day, hour, 0, tzinfo=BERLIN))


@pytest.fixture
def week(seeded: Seeded, clock: Clock) -> Seeded:
    """Week 2026-W48 seen on Thursday 26 Nov: a goal with a key result, a date moved,
    an item blocked, one stale, a milestone next week, time logged."""
    db = seeded.db
    monday = _at(23, 9)
    goal = goals.create_goal(db, monday, "Customers *bill* themselves", due_date=date(2027, 3, 31))
    kr = goals.add_key_result(db, monday, goal.id, "Invoices without a ticket", 62, 90, "%")
    goals.record_value(db, monday, kr.id, 66, date(2026, 11, 16))
    goals.record_value(db, monday, kr.id, 69, date(2026, 11, 23))
    goals.link_epic(db, monday, seeded.epic, goal.id)
    backlog.edit_item(db, monday, seeded.epic, start_date=date(2026, 11, 2))
    backlog.edit_item(db, monday, seeded.epic, target_date=date(2026, 12, 11))
    backlog.edit_item(db, _at(25, 11), seeded.epic, target_date=date(2026, 12, 18))
    waiting = backlog.create_item(
        db, monday, "story", "Send reminders", points=3, parent_id=seeded.feature, status="todo"
    )
    backlog.add_dependency(db, waiting.id, seeded.story)
    backlog.edit_item(db, _at(19, 9), seeded.story, status="in_progress")
    planning.create_milestone(db, "Beta", date(2026, 12, 1))
    timetrack.log_entry(db, clock, 90, "meetings", "planning", day=date(2026, 11, 23))
    timetrack.log_entry(
        db, clock, 120, "deliverables", "PRD", day=date(2026, 11, 24), item_id=seeded.epic
    )
    return seeded


def test_status_report_matches_the_golden_file(week: Seeded, clock: Clock) -> None:
    text = status_report.render(week.db, clock, None, "md")
    if not GOLDEN.exists():  # first run writes it: look at it before committing
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_a_day_inside_the_week_names_the_same_week(week: Seeded, clock: Clock) -> None:
    this_week = status_report.render(week.db, clock, None, "md")
    assert status_report.render(week.db, clock, date(2026, 11, 29), "md") == this_week


def test_every_figure_comes_from_its_query(week: Seeded, clock: Clock) -> None:
    data = json.loads(status_report.render(week.db, clock, None, "json"))
    assert data["week"] == "2026-W48"
    assert [d["id"] for d in data["done"]] == [week.bug]
    assert data["sprint"]["committed_points"] == 5
    assert data["sprint"]["done_points"] == 0
    assert data["dates_moved"] == [
        {
            "id": week.epic,
            "kind": "epic",
            "title": "Self-serve invoicing",
            "field": "start_date",
            "old": None,
            "new": "2026-11-02",
        },
        {
            "id": week.epic,
            "kind": "epic",
            "title": "Self-serve invoicing",
            "field": "target_date",
            "old": None,
            "new": "2026-12-18",
        },
    ]
    blocked = data["risks"]["blocked"]
    assert [(b["title"], b["blocked_by"]["id"]) for b in blocked] == [
        ("Send reminders", week.story)
    ]
    assert [s["id"] for s in data["risks"]["stale"]] == [week.story]
    assert data["next"] == [{"date": "2026-12-01", "what": "milestone", "title": "Beta"}]
    assert data["goals"][0]["outcome_percent"] == 25  # (69 - 62) / (90 - 62)
    assert data["time"]["total_minutes"] == 210


def test_done_items_leave_the_report_when_moved_out_of_done(week: Seeded, clock: Clock) -> None:
    backlog.move_item(week.db, clock, week.bug, "todo")
    data = json.loads(status_report.render(week.db, clock, None, "json"))
    assert data["done"] == []


def test_a_date_moved_and_moved_back_is_not_reported(seeded: Seeded, clock: Clock) -> None:
    backlog.edit_item(seeded.db, clock, seeded.epic, target_date=date(2026, 12, 11))
    backlog.edit_item(seeded.db, clock, seeded.epic, target_date=None)
    start, end = clock.day_bounds(date(2026, 11, 23), 7)
    assert status_report.dates_moved(seeded.db, start, end) == []


def test_done_days_are_local_days(seeded: Seeded) -> None:
    # 00:30 on Monday in Berlin is still Sunday in UTC.
    just_after_midnight = Clock(datetime(2026, 11, 23, 0, 30, tzinfo=BERLIN))
    backlog.move_item(seeded.db, just_after_midnight, seeded.story, "done")
    text = status_report.render(seeded.db, just_after_midnight, None, "md")
    assert "Story #3 Export invoices (5 pts), epic #1 Self-serve invoicing — Mon 23 Nov" in text
