"""Every mode screen follows a change committed by another program (the CLI in a shell,
a colleague's connection), as the board does: the goals, roadmap, week and time screens
show it within a second or two, keeping the cursor on the same row; a form over the
screen keeps what was typed; a screen behind another one reads only when shown."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.screens.goals import GoalsScreen
from tpm_tui.screens.roadmap import RoadmapScreen
from tpm_tui.screens.time import TimeScreen
from tpm_tui.screens.week import WeekScreen
from tpm_tui.services import backlog, goals, timetrack
from tpm_tui.widgets.timeline import Timeline

pytestmark = pytest.mark.both_engines

MONDAY = date(2026, 11, 23)  # of the frozen clock's week


def drawn(widget: Widget) -> str:
    """What the widget draws now, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def status(app: TpmApp) -> str:
    """The screen's status line as drawn."""
    return str(app.screen.query_one("#status-line").render())


@contextmanager
def elsewhere(location: Location) -> Iterator[Database]:
    """Another program's own connection to the workspace (as `tpm` in a shell)."""
    other = open_database(location)
    try:
        yield other
    finally:
        other.close()


async def within_two_seconds(pilot: Pilot[Any], since: float, shown: Callable[[], bool]) -> None:
    """Wait until `shown()` holds, and no later than two seconds after `since`."""
    await wait_until(pilot, shown, tries=150)
    assert time.monotonic() - since < 2.0


async def test_the_goals_screen_shows_a_goal_and_a_value_added_elsewhere_cursor_kept(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    first = goals.create_goal(seeded.db, clock, "Customers bill themselves")
    kr = goals.add_key_result(seeded.db, clock, first.id, "Activation", 10, 100, "%", current=80)
    goals.create_goal(seeded.db, clock, "Fewer support tickets")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        options = screen.query_one("#goals-list", OptionList)
        await pilot.press("down")
        kept = screen.selected_id()
        assert kept == f"k{kr.id}" and "Goals · 2 active" in status(app)
        with elsewhere(workspace_location) as other:
            goals.create_goal(other, clock, "Added while open")
            goals.record_value(other, clock, kr.id, 70)
            since = time.monotonic()
        await within_two_seconds(
            pilot,
            since,
            lambda: "Added while open" in drawn(options) and "Goals · 3 active" in status(app),
        )
        await wait_until(pilot, lambda: "now 70" in drawn(options))
        assert "now 80" not in drawn(options)
        assert screen.selected_id() == kept


async def test_the_roadmap_shows_an_epic_planned_elsewhere_selection_kept(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    for title, start in (("Billing revamp", 0), ("Usage dashboards", 7)):
        backlog.create_item(
            seeded.db,
            clock,
            "epic",
            title,
            owner="",
            start_date=date(2026, 11, 16 + start),
            target_date=date(2026, 12, 18 + start),
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "2", RoadmapScreen)
        timeline = screen.query_one(Timeline)
        await pilot.press("j")
        kept = timeline.selected_item_id()
        assert kept is not None and "Partner API" not in drawn(timeline)
        with elsewhere(workspace_location) as other:
            backlog.create_item(
                other,
                clock,
                "epic",
                "Partner API",
                owner="",
                start_date=date(2026, 11, 30),
                target_date=date(2027, 1, 15),
            )
            since = time.monotonic()
        await within_two_seconds(pilot, since, lambda: "Partner API" in drawn(timeline))
        assert timeline.selected_item_id() == kept


async def test_the_week_screen_shows_time_logged_elsewhere(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", WeekScreen)
        headline = screen.query_one("#week-headline")
        assert "No time logged this week yet" in drawn(headline)
        with elsewhere(workspace_location) as other:
            for note in ("planning", "1:1", "review"):
                timetrack.log_entry(other, clock, 60, "meetings", note, day=MONDAY)
            since = time.monotonic()
        await within_two_seconds(pilot, since, lambda: "3h logged" in drawn(headline))
        days = screen.query_one("#week-days", DataTable)
        assert "3h" in drawn(days)


async def test_the_time_screen_shows_an_entry_logged_elsewhere_cursor_kept(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    for note in ("one", "two"):
        timetrack.log_entry(seeded.db, clock, 20, "tooling", note)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        table = screen.query_one("#entries", DataTable)
        await pilot.press("j")
        kept = screen._selected_id()
        with elsewhere(workspace_location) as other:
            timetrack.log_entry(other, clock, 30, "meetings", "standup from a shell")
            since = time.monotonic()
        await within_two_seconds(pilot, since, lambda: "standup from a shell" in drawn(table))
        assert screen._selected_id() == kept


async def test_a_form_over_the_screen_keeps_its_text_and_the_change_shows_after(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    goals.create_goal(seeded.db, clock, "Customers bill themselves")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        options = screen.query_one("#goals-list", OptionList)
        await pilot.press("n")
        await wait_until(pilot, lambda: bool(app.screen.query(Input)))
        await pilot.press(*"Half typed")
        with elsewhere(workspace_location) as other:
            goals.create_goal(other, clock, "Added while the form is open")
        await pilot.pause(1.5)
        assert app.screen.query_one(Input).value == "Half typed"
        await pilot.press("escape")
        await within_two_seconds(
            pilot, time.monotonic(), lambda: "Added while the form is open" in drawn(options)
        )


async def test_a_hidden_screen_reads_only_when_shown_again(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        week = await open_screen(pilot, "4", WeekScreen)
        await pilot.press("1")
        await wait_until(pilot, lambda: app.screen is not week)
        reads: list[object] = []
        original = week.load

        def counted(*args: Any, **kwargs: Any) -> Any:
            reads.append(args)
            return original(*args, **kwargs)

        week.load = counted  # type: ignore[method-assign]
        with elsewhere(workspace_location) as other:
            timetrack.log_entry(other, clock, 60, "meetings", "while hidden", day=MONDAY)
        await pilot.pause(1.5)
        assert reads == []
        await pilot.press("4")
        headline = week.query_one("#week-headline")
        await wait_until(pilot, lambda: "1h logged" in drawn(headline))
        assert len(reads) == 1


async def test_the_screens_own_write_is_read_back_once(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    goals.create_goal(seeded.db, clock, "Customers bill themselves")
    goals.create_goal(seeded.db, clock, "Fewer support tickets")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        options = screen.query_one("#goals-list", OptionList)
        reads: list[object] = []
        original = screen.load

        def counted(*args: Any, **kwargs: Any) -> Any:
            reads.append(args)
            return original(*args, **kwargs)

        screen.load = counted  # type: ignore[method-assign]
        await pilot.press("x")  # archive the first goal: the screen reads it back itself
        await wait_until(pilot, lambda: "Customers bill themselves" not in drawn(options))
        await pilot.pause(1.5)  # three looks for changes: none counts the archive again
        assert len(reads) == 1
