"""Another program holds the database's write lock for longer than its busy timeout
while every writing key is pressed: the app stays alive, nothing typed is lost, and
each write is applied once the lock goes (the screens' keys, retried) or clearly
refused (the forms, which keep their text)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import NOW, Seeded
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import BUSY_TIMEOUT_MS
from tpm_tui.screens.base import WorkspaceScreen
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.screens.time import TimeScreen
from tpm_tui.screens.timekeeping import QuickLogScreen, StartTimerScreen
from tpm_tui.services import backlog, timetrack

LOCK_HELD = BUSY_TIMEOUT_MS / 1000 + 4  # past the database's own patience


class Lock:
    """Another program's open write transaction on the file."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")
        self.taken = time.monotonic()

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def _text(app: TpmApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _refused_and_kept(pilot: Pilot[Any], modal: type, typed: str) -> None:
    """Type a line in the dialog, press enter: refused as busy, the text still there."""
    app = pilot.app
    assert isinstance(app, TpmApp)
    await wait_until(pilot, lambda: isinstance(app.screen, modal))
    await pilot.press(*typed, "enter")
    await wait_until(pilot, lambda: "database is busy" in _text(app, "#line-preview"))
    assert isinstance(app.screen, modal)
    assert app.screen.query_one("#line-input", Input).value == typed


async def test_every_writing_key_survives_a_lock_held_past_the_busy_timeout(
    seeded: Seeded, clock: Clock, make_app: Callable[..., TpmApp], db_path: Path
) -> None:
    db = seeded.db
    timetrack.start_timer(db, Clock(NOW - timedelta(minutes=40)), "tooling", "triage")
    early = timetrack.log_entry(db, clock, 30, "meetings", "standup")
    timetrack.edit_entry(db, clock, early.id, started_at=clock.at(NOW.date(), clock_time(8)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.focused_id() == seeded.story
        lock = Lock(db_path)
        # The board's keys: lower, move, archive (the first retries, the others wait).
        await pilot.press("J", "L", "x")
        await pilot.press("S")  # stopping the timer waits its turn behind them
        await pilot.pause(0.3)
        assert board.waiting_for is not None and "database busy" in _text(app, "#status-line")
        # The dialogs refuse at once, keeping the line.
        await pilot.press("t")
        await _refused_and_kept(pilot, QuickLogScreen, "30m m planning")
        await pilot.press("escape")
        await pilot.press("s")
        await _refused_and_kept(pilot, StartTimerScreen, "d PRD draft")
        await pilot.press("escape")
        # The time screen's delete retries too.
        await pilot.press("3")
        await wait_until(pilot, lambda: isinstance(app.screen, TimeScreen) and app.screen.ready)
        time_screen = app.screen
        assert isinstance(time_screen, TimeScreen)
        await pilot.press("x")
        await wait_until(pilot, lambda: time_screen.waiting_for is not None)
        assert backlog.get_item(db, seeded.story).status == "backlog"  # nothing yet
        await asyncio.sleep(max(0.0, LOCK_HELD - (time.monotonic() - lock.taken)))
        assert app.is_running
        lock.release()
        screens: list[WorkspaceScreen] = [board, time_screen]
        await wait_until(
            pilot,
            lambda: all(s.waiting_for is None and not s._pending for s in screens),
            tries=1500,
        )
        await settle(app)
        story = backlog.get_item(db, seeded.story)
        assert (story.status, story.archived) == ("todo", True)
        assert timetrack.running_timer(db, clock) is None  # S applied after the lock
        notes = [e.note for e in timetrack.entries_for_day(db, clock, NOW.date())]
        assert notes == ["triage"]  # the 08:00 standup deleted; the timer's entry kept

        # The item form: refused while locked, with everything typed kept; saved after.
        await pilot.press("1")
        await wait_until(pilot, lambda: app.screen is board)
        await pilot.press("h")  # To Do is empty now: back to the Backlog
        await wait_until(pilot, lambda: board.focused_id() == seeded.debt)
        item_id = seeded.debt
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        app.screen.query_one("#field-title", Input).value = "Renamed while locked"
        lock = Lock(db_path)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "database is busy" in _text(app, "#error-form"))
        assert app.screen.query_one("#field-title", Input).value == "Renamed while locked"
        lock.release()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is board)
        assert backlog.get_item(db, item_id).title == "Renamed while locked"
        assert app.is_running
