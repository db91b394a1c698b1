"""A table filled with rows has its columns as wide as their cells at once, not on the
table's next idle moment: a frame drawn before that moment (a loaded machine) cached
the rows cut to the old widths ("stan" for "standup", "#53" for "#53 Usage alerts"),
kept on screen until the next change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import DataTable

from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.time import TimeScreen
from tpm_tui.services import timetrack

NOTE = "quarterly planning with the platform team"


def _widths(table: DataTable[Any]) -> dict[str, int]:
    return {str(c.label): c.get_render_width(table) for c in table.ordered_columns}


async def test_the_time_table_is_measured_as_it_is_filled(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    timetrack.log_entry(db, clock, 30, "meetings", "standup")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("3")
        await wait_until(
            pilot, lambda: isinstance(app.screen, TimeScreen) and app.screen.data is not None
        )
        screen = app.screen
        assert isinstance(screen, TimeScreen) and screen.data is not None
        table = screen.query_one("#entries", DataTable)
        timetrack.log_entry(db, clock, 60, "tooling", NOTE)
        data = screen.data
        from tpm_tui.screens.time import DayData
        from tpm_tui.services.timetrack import entries_for_day

        entries = entries_for_day(db, clock, data.day)
        # Handled as the read's message is, and looked at before any idle moment of the
        # table (no await between): the note column already fits the new note.
        screen.on_time_screen_loaded(
            TimeScreen.Loaded(DayData(data.day, entries, set(), data.totals), None)
        )
        assert _widths(table)["note"] >= len(NOTE) + 2  # (its cell padding)
