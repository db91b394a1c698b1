"""While the team server is away, what a key cannot do is said in the words the status
line uses ("the server does not answer (reconnecting…)"), not as the driver's own
message with its socket path: opening the item form reads the item first, and that
read's failure was shown raw (found in the two-person trial)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.widgets import Static

from tests.conftest import Seeded
from tests.postgres import Server
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.screens.base import OFFLINE
from tpm_tui.screens.board import BoardScreen


@pytest.fixture
def engine() -> str:
    """These tests are about a server."""
    return "postgresql"


def _status(board: BoardScreen) -> str:
    return str(board.query_one("#status-line", Static).render())


def _notes(app: TpmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_opening_a_form_while_the_server_is_away_says_so_plainly(
    seeded: Seeded, make_app: Callable[..., TpmApp], pg_server: Server
) -> None:
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            board = await board_ready(pilot)
            await asyncio.to_thread(pg_server.stop)
            await wait_until(pilot, lambda: "reconnecting…" in _status(board), tries=250)
            await pilot.press("e")
            await wait_until(pilot, lambda: bool(_notes(app)))
            assert app.screen is board
            notes = _notes(app)
            assert any(OFFLINE in note for note in notes), notes
            assert not any("socket" in note or "psycopg" in note for note in notes), notes
    finally:
        pg_server.ensure_running()  # never left stopped for the tests after this one
