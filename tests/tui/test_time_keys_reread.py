"""The time and week screens show what the database holds after a timer is stopped or
started, or time is logged, from their own keys (t, s, S): no `.` needed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from textual.widgets import DataTable

from tests.conftest import NOW
from tests.tui.conftest import SIZE, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.time import TimeScreen
from tpm_tui.screens.week import WeekScreen
from tpm_tui.services import timetrack


def _ends(screen: TimeScreen) -> list[str]:
    table = screen.query_one("#entries", DataTable)
    return [str(table.get_row_at(row)[1]) for row in range(table.row_count)]


async def test_stopping_the_timer_on_the_time_screen_ends_its_row(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(minutes=91)), "tooling", "grooming")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        assert _ends(screen) == ["running"]
        await pilot.press("S")
        await wait_until(pilot, lambda: timetrack.running_timer(db, clock) is None)
        await wait_until(pilot, lambda: _ends(screen) == [f"{NOW:%H:%M}"])


async def test_starting_a_timer_and_logging_on_the_time_screen_show_their_rows(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        assert _ends(screen) == []
        await pilot.press("s")
        await wait_until(pilot, lambda: app.screen is not screen)
        await pilot.press(*"m standup", "enter")
        await wait_until(pilot, lambda: _ends(screen) == ["running"])
        await pilot.press("t")
        await wait_until(pilot, lambda: app.screen is not screen)
        await pilot.press(*"45m d PRD @9:00", "enter")
        await wait_until(pilot, lambda: len(_ends(screen)) == 2)


def _headline(screen: WeekScreen) -> str:
    return str(screen.query_one("#week-headline").render())


async def test_logging_and_stopping_on_the_week_screen_update_its_totals(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(minutes=30)), "meetings", "standup")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", WeekScreen)
        assert "30m logged" in _headline(screen), _headline(screen)
        await pilot.press("t")
        await wait_until(pilot, lambda: app.screen is not screen)
        await pilot.press(*"1h d PRD @yesterday", "enter")
        await wait_until(pilot, lambda: "1h30m logged" in _headline(screen))
