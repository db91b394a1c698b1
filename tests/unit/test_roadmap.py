"""Roadmap rules: status, date arithmetic per zoom, roll-up into rows, Markdown."""

from __future__ import annotations

from datetime import date

import pytest

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.services import backlog
from tpm_tui.services.roadmap import (
    Status,
    Zoom,
    add_months,
    axis_label,
    load_roadmap,
    render_markdown,
    shift_item,
    shift_step,
)

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL

TODAY = date(2026, 11, 26)


def test_date_steps_per_zoom_across_year_ends_and_short_months() -> None:
    assert shift_step(date(2026, 12, 28), Zoom.WEEKS, 1) == date(2027, 1, 4)
    assert shift_step(date(2026, 1, 31), Zoom.MONTHS, 1) == date(2026, 2, 28)
    assert shift_step(date(2024, 1, 31), Zoom.MONTHS, 1) == date(2024, 2, 29)
    assert shift_step(date(2026, 11, 30), Zoom.QUARTERS, 1) == date(2027, 2, 28)
    assert shift_step(date(2027, 2, 28), Zoom.QUARTERS, -1) == date(2026, 11, 28)
    assert add_months(date(2026, 12, 15), -12) == date(2025, 12, 15)


def test_axis_labels_week_53_months_and_quarters() -> None:
    assert axis_label(date(2026, 12, 28), Zoom.WEEKS) == "W53"
    assert axis_label(date(2027, 1, 4), Zoom.WEEKS) == "W01 Jan 2027"
    assert axis_label(date(2026, 11, 2), Zoom.WEEKS) == "W45 Nov"
    assert axis_label(date(2026, 11, 3), Zoom.WEEKS) is None
    assert axis_label(date(2027, 1, 1), Zoom.MONTHS) == "Jan 2027"
    assert axis_label(date(2026, 12, 1), Zoom.MONTHS) == "Dec"
    assert axis_label(date(2026, 10, 1), Zoom.QUARTERS) == "Q4 2026"
    assert axis_label(date(2026, 11, 1), Zoom.QUARTERS) is None
    assert Zoom.WEEKS.step(1) is Zoom.MONTHS and Zoom.QUARTERS.step(-1) is Zoom.MONTHS
    assert Zoom.WEEKS.step(-1) is None and Zoom.QUARTERS.step(1) is None  # no wrapping


def _epic(
    db: Database,
    clock: Clock,
    title: str,
    start: date,
    target: date,
    done: int,
    total: int,
    status: str = "in_progress",
) -> int:
    epic = backlog.create_item(
        db, clock, "epic", title, start_date=start, target_date=target, status=status
    )
    if total:
        backlog.create_item(
            db, clock, "story", "done part", points=done, parent_id=epic.id, status="done"
        )
        if total > done:
            backlog.create_item(db, clock, "story", "rest", points=total - done, parent_id=epic.id)
    return epic.id


def test_statuses(db: Database, clock: Clock) -> None:
    on_track = _epic(
        db, clock, "On track", date(2026, 11, 1), date(2026, 12, 31), 5, 10
    )  # 42 % gone, 50 % done
    at_risk = _epic(
        db, clock, "At risk", date(2026, 10, 1), date(2026, 12, 31), 1, 10
    )  # 62 % gone, 10 % done
    late = _epic(db, clock, "Late", date(2026, 9, 1), date(2026, 11, 20), 8, 10)
    done = _epic(db, clock, "Done", date(2026, 9, 1), date(2026, 10, 31), 10, 10)
    unscheduled = backlog.create_item(db, clock, "epic", "Someday").id
    rows = {r.item.id: r for r in load_roadmap(db, clock).rows}
    assert rows[on_track].status is Status.ON_TRACK and rows[on_track].done_percent == 50
    assert rows[at_risk].status is Status.AT_RISK
    assert rows[late].status is Status.LATE
    assert rows[done].status is Status.DONE
    assert rows[unscheduled].status is Status.UNSCHEDULED and not rows[unscheduled].scheduled


def test_features_sit_under_their_epic_and_flag_it(db: Database, clock: Clock) -> None:
    epic = backlog.create_item(
        db, clock, "epic", "Epic", start_date=date(2026, 11, 1), target_date=date(2026, 12, 1)
    )
    inside = backlog.create_item(
        db,
        clock,
        "feature",
        "Inside",
        parent_id=epic.id,
        start_date=date(2026, 11, 2),
        target_date=date(2026, 11, 20),
    )
    roadmap = load_roadmap(db, clock)
    assert [(r.item.id, r.depth) for r in roadmap.rows] == [(epic.id, 0), (inside.id, 1)]
    assert not roadmap.rows[0].outside_epic
    backlog.edit_item(db, clock, inside.id, target_date=date(2026, 12, 15))  # the epic is not moved
    roadmap = load_roadmap(db, clock)
    assert roadmap.rows[0].outside_epic and roadmap.rows[0].item.target_date == date(2026, 12, 1)


def test_shift_and_markdown(db: Database, clock: Clock) -> None:
    epic_id = _epic(db, clock, "Billing | v2", date(2026, 11, 2), date(2026, 12, 4), 0, 0)
    item = backlog.get_item(db, epic_id)
    moved = shift_item(db, clock, item, 1, 1, Zoom.WEEKS)
    assert (moved.start_date, moved.target_date) == (date(2026, 11, 9), date(2026, 12, 11))
    stretched = shift_item(db, clock, moved, 0, 1, Zoom.WEEKS)
    assert stretched.target_date == date(2026, 12, 18) and stretched.start_date == date(2026, 11, 9)
    quarter = shift_item(db, clock, stretched, 1, 1, Zoom.QUARTERS)
    assert (quarter.start_date, quarter.target_date) == (date(2027, 2, 9), date(2027, 3, 18))
    md = render_markdown(load_roadmap(db, clock))
    assert "| epic #1 Billing \\| v2 | 2027-02-09 | 2027-03-18 | 0 % | on track |" in md
    undated = backlog.create_item(db, clock, "epic", "No dates")
    with pytest.raises(InvalidInput, match="has no dates yet"):
        shift_item(db, clock, undated, 1, 1, Zoom.WEEKS)


def test_dependencies_flag_an_item_starting_before_its_blocker_ends(
    db: Database, clock: Clock
) -> None:
    from tpm_tui.services import transfer
    from tpm_tui.services.backlog import add_dependency, dependencies, remove_dependency

    api = backlog.create_item(
        db,
        clock,
        "feature",
        "Partner API",
        start_date=date(2026, 11, 2),
        target_date=date(2026, 12, 11),
    )
    portal = backlog.create_item(
        db,
        clock,
        "feature",
        "Partner portal",
        start_date=date(2026, 12, 1),
        target_date=date(2027, 1, 15),
    )
    add_dependency(db, portal.id, api.id)
    assert dependencies(db) == {portal.id: [api.id]}
    with pytest.raises(InvalidInput, match="cycle"):
        add_dependency(db, api.id, portal.id)
    with pytest.raises(InvalidInput, match="cannot block itself"):
        add_dependency(db, api.id, api.id)
    rows = {r.item.id: r for r in load_roadmap(db, clock).rows}
    assert rows[portal.id].early_for == (api.id,)
    assert f"(starts before #{api.id} ends)" in render_markdown(load_roadmap(db, clock))
    backlog.edit_item(db, clock, portal.id, start_date=date(2026, 12, 14))
    assert {r.item.id: r for r in load_roadmap(db, clock).rows}[portal.id].early_for == ()
    exported = transfer.export_workspace(db, clock)
    assert exported["dependencies"] == [{"item_id": portal.id, "blocked_by_id": api.id}]
    remove_dependency(db, portal.id, api.id)
    assert dependencies(db) == {}
