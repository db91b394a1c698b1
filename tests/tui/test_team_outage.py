"""The team server stopped while the TUI is open: the status line says "reconnecting…",
writing keys are refused with a message, a form keeps its text, and once the server is
back the app reconnects by itself and reads everything again. Real server: the test
run's own, stopped and started again with pg_ctl."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.widgets import Input, Static

from tests.conftest import Seeded
from tests.postgres import Server
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import notes, status_line
from tpm_tui import watch
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog


@pytest.fixture
def engine() -> str:
    """These tests are about a server."""
    return "postgresql"


async def test_an_outage_is_said_refused_and_healed_by_itself(
    seeded: Seeded,
    make_app: Callable[..., TpmApp],
    clock: Clock,
    pg_server: Server,
    workspace_location: Location,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Slow reconnecting, so that a write lands while this app is still cut off.
    monkeypatch.setattr(watch, "RETRY_EVERY", 2.0)
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            board = await board_ready(pilot)
            # A form open when the server goes: saving says why, and keeps the text.
            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
            form = app.screen
            await pilot.press("end", *" as PDF")
            await asyncio.to_thread(pg_server.stop)
            await wait_until(pilot, lambda: "reconnecting…" in status_line(board), tries=250)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form and app.is_running
            assert form.query_one("#error-form", Static).display
            assert form.query_one("#field-title", Input).value == "Export invoices as PDF"
            await asyncio.to_thread(pg_server.start)
            await wait_until(pilot, lambda: "reconnecting…" not in status_line(board), tries=250)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is board)
            assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices as PDF"

            # A writing key while the server is gone: refused, with a message.
            await asyncio.to_thread(pg_server.stop)
            await wait_until(pilot, lambda: "reconnecting…" in status_line(board), tries=250)
            assert board.focused_id() == seeded.story
            await pilot.press("L")
            await wait_until(pilot, lambda: any("does not answer" in n for n in notes(app)))
            await asyncio.to_thread(pg_server.start)
            # Written while this app is still cut off (its notification never comes):
            # the return reads everything again.
            other = open_database(workspace_location)
            try:
                backlog.move_item(other, clock, seeded.debt, "review")
            finally:
                other.close()
            assert not app.workspace.online
            assert backlog.get_item(seeded.db, seeded.story).status == "backlog"
            # (the re-read and the status line's redraw on the return may land in
            # either order: wait for both)
            await wait_until(
                pilot,
                lambda: (
                    seeded.debt in board.columns["review"].ids
                    and "reconnecting…" not in status_line(board)
                ),
                tries=250,
            )
            assert board.focused_id() == seeded.story
            await pilot.press("L")
            await wait_until(pilot, lambda: seeded.story in board.columns["todo"].ids)
            assert backlog.get_item(seeded.db, seeded.story).status == "todo"
            assert app.is_running
    finally:
        pg_server.ensure_running()  # never left stopped for the tests after this one
