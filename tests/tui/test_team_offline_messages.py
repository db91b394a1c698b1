"""While the team server is away, what a key cannot do is said in the words the status
line uses ("the server does not answer (reconnecting…)"), not as the driver's own
message with its socket path: opening the item form reads the item first, and that
read's failure was shown raw (found in the two-person trial)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.conftest import Seeded
from tests.postgres import Server
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import notes, status_line
from tpm_tui.app import TpmApp
from tpm_tui.screens.base import OFFLINE


@pytest.fixture
def engine() -> str:
    """These tests are about a server."""
    return "postgresql"


async def test_opening_a_form_while_the_server_is_away_says_so_plainly(
    seeded: Seeded, make_app: Callable[..., TpmApp], pg_server: Server
) -> None:
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            board = await board_ready(pilot)
            await asyncio.to_thread(pg_server.stop)
            await wait_until(pilot, lambda: "reconnecting…" in status_line(board), tries=250)
            await pilot.press("e")
            await wait_until(pilot, lambda: bool(notes(app)))
            assert app.screen is board
            said = notes(app)
            assert any(OFFLINE in note for note in said), said
            assert not any("socket" in note or "psycopg" in note for note in said), said
    finally:
        pg_server.ensure_running()  # never left stopped for the tests after this one
