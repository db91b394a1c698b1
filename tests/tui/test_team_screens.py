"""On a team database every screen in front follows a colleague's change (the server's
notification), not only the board: the time screen shows an entry logged in another
terminal, keeping its cursor."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import SIZE, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.screens.time import TimeScreen
from tpm_tui.services import timetrack


@pytest.fixture
def engine() -> str:
    """Notifications are a server's (a SQLite file's time screen reads when shown)."""
    return "postgresql"


async def test_the_time_screen_shows_an_entry_logged_elsewhere_cursor_kept(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], workspace_location: Location
) -> None:
    for note in ("one", "two"):
        timetrack.log_entry(db, clock, 20, "tooling", note)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        table = screen.query_one("#entries", DataTable)
        await pilot.press("j")
        kept = screen._selected_id()
        other = open_database(workspace_location)  # another terminal, the same person
        try:
            timetrack.log_entry(other, clock, 30, "meetings", "standup")
            logged_at = time.monotonic()
        finally:
            other.close()
        await wait_until(pilot, lambda: table.row_count == 3, tries=150)
        assert time.monotonic() - logged_at < 2.0
        assert screen._selected_id() == kept
