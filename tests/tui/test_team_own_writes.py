"""On a team database the board does not read itself again after its own writes: the
server tells it of a colleague's at once (LISTEN/NOTIFY), and its own it has drawn
already. At 500 cards that read, one second after each move, made the next key wait
(SQLite has no announcements: its board still looks once a second)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services import backlog


@pytest.fixture
def engine() -> str:
    """These tests are about a server."""
    return "postgresql"


async def test_the_board_does_not_read_its_own_moves_again(
    seeded: Seeded,
    make_app: Callable[..., TpmApp],
    clock: Clock,
    workspace_location: Location,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("L")
        await wait_until(pilot, lambda: seeded.story in board.columns["todo"].ids)
        reads = board._reads
        await asyncio.sleep(2.5)  # more than two of the poll's seconds
        await pilot.pause()
        assert board._reads == reads
        assert backlog.get_item(seeded.db, seeded.story).status == "todo"

        other = open_database(workspace_location)  # a colleague's change still shows
        try:
            backlog.move_item(other, clock, seeded.debt, "review")
        finally:
            other.close()
        await wait_until(pilot, lambda: seeded.debt in board.columns["review"].ids, tries=150)
        assert board._reads == reads + 1
