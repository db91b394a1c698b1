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


def test_a_past_week_names_the_sprint_that_ran_then_with_its_figures(
    seeded: Seeded, clock: Clock
) -> None:
    """Week 47's report (read on Thursday of week 48) speaks of the sprint that ran
    then, though it is closed since, with the figures `tpm sprint show` gives: the
    points committed at its start, those added later, those done by its close."""
    from tpm_tui.services import sprints

    db = seeded.db
    s1 = planning.create_sprint(db, "Sprint 23", date(2026, 11, 9), date(2026, 11, 22))
    early = backlog.create_item(db, _at(9, 8), "story", "Early", points=5)
    late = backlog.create_item(db, _at(9, 8), "story", "Late", points=3)
    sprints.add_items(db, _at(9, 9), s1.id, [early.id])
    sprints.add_items(db, _at(12, 9), s1.id, [late.id])  # scope added on its 4th day
    backlog.move_item(db, _at(13, 9), early.id, "done")
    sprints.close_sprint(db, _at(20, 17), s1.id, None)  # "Late" goes back to the backlog
    shown = sprints.sprint_report(db, clock, s1.id)
    data = json.loads(status_report.render(db, clock, date(2026, 11, 18), "json"))
    assert data["sprint"] == {
        "name": "Sprint 23",
        "start": "2026-11-09",
        "end": "2026-11-22",
        "committed_points": shown.committed,
        "points": shown.committed + shown.added - shown.removed,
        "done_points": shown.done,
        "done_percent": 62,
        "closed": True,
        "days_left": 0,
    }
    assert (shown.committed, shown.added, shown.done) == (5, 3, 5)
    text = status_report.render(db, clock, date(2026, 11, 18), "md")
    assert "**Sprint:** Sprint 23 (9 Nov – 22 Nov) has 5 of 8 points done (62 %; 5" in text
    assert "closed." in text
    # The goals, the roadmap and the risks are as they stand today, and say so.
    assert "**Goals (as of today, Thu 26 Nov):**" in text
    assert "## Roadmap (as of today, Thu 26 Nov)" in text
    assert "## Risks (as of today, Thu 26 Nov)" in text
    assert (data["as_of"], data["figures_as_of"]) == ("2026-11-22", "2026-11-26")
    # The week before its close: running then, with the days it had left.
    running = json.loads(status_report.render(db, clock, date(2026, 11, 11), "json"))["sprint"]
    assert (running["closed"], running["days_left"]) == (False, 8)  # Sun 15 to Sun 22 Nov, both
    this_week = status_report.render(db, clock, None, "md")
    assert "as of today" not in this_week and "## Roadmap\n" in this_week
    next_week = status_report.render(db, clock, date(2026, 12, 2), "md")  # (as of its Monday)
    assert "## Roadmap (as of today, Thu 26 Nov)" in next_week
