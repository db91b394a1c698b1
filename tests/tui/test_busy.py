"""Keys against a database another program holds locked: the screen never freezes or
dies, keys wait their turn, and what is saved is what the board then shows."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from textual.binding import Binding

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp, screen_class
from tpm_tui.screens.base import WorkspaceScreen
from tpm_tui.services import backlog

# Keys that only change what is looked at and never read stale data may run at once.
UNQUEUED = {"filter", "clear_filter", "tree"}


def test_every_data_key_of_every_screen_waits_its_turn() -> None:
    for screen in map(screen_class, TpmApp.MODES):
        assert issubclass(screen, WorkspaceScreen)
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            name = binding.action.split("(")[0]
            if name in UNQUEUED:
                continue
            method = getattr(screen, f"action_{name}")
            assert getattr(method, "__tpm_queued__", False), f"{screen.__name__}.{name}"


async def test_a_locked_database_delays_the_move_and_the_keys_after_it(
    seeded: Seeded, make_app: Callable[..., TpmApp], db_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.focused_id() == seeded.story
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program is writing
        started = time.monotonic()
        await pilot.press("L", "l")  # the move waits; the l waits behind it
        assert time.monotonic() - started < 2  # the screen did not freeze
        await pilot.pause(0.3)
        assert board.waiting_for is not None and "retrying the move" in board.waiting_for
        status = str(board.query_one("#status-line").render())
        assert "database busy" in status and "1 key waiting" in status
        assert backlog.get_item(seeded.db, seeded.story).status == "backlog"
        await asyncio.sleep(0.5)
        other.execute("COMMIT")
        other.close()
        await wait_until(pilot, lambda: board.waiting_for is None)
        assert backlog.get_item(seeded.db, seeded.story).status == "todo"
        # the l ran after the move: from To Do (where the card went) to In Progress,
        # once the read that shows the move has landed (the l waits for that read)
        await wait_until(pilot, lambda: board.current == "in_progress")
        assert board.current == "in_progress"
        assert app.is_running
