"""After saving a new item the cursor is on its card, whichever of the board's reads
(the one the save asked for, the one for the change it saw) comes back last."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Seeded
from tests.tui.conftest import board_ready, settle
from tpm_tui.app import TpmApp
from tpm_tui.services import backlog
from tpm_tui.services import board as board_service


def _slow_read(monkeypatch: pytest.MonkeyPatch, which: int) -> None:
    """The board's `which`-th read from now on takes a while (a loaded machine)."""
    original = board_service.load_board
    calls: list[int] = []

    def load_board(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == which:
            time.sleep(0.4)
        return original(*args, **kwargs)

    monkeypatch.setattr(board_service, "load_board", load_board)


@pytest.mark.parametrize("slow", [1, 2])
async def test_the_cursor_lands_on_the_new_card(
    seeded: Seeded,
    clock: Any,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
    slow: int,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        board = await board_ready(pilot)
        before = board.focused_id()
        assert board.watcher is not None
        board.watcher.close()  # the reads below stand for its poll: no third one
        board.watcher = None
        new = backlog.create_item(seeded.db, clock, kind="story", title="Meter usage per seat").id
        _slow_read(monkeypatch, slow)
        if slow == 1:  # a read for the change (the board shown again), then the save's
            board.load(board.focused_id())
            board._after_form(new, "Added")
        else:  # the save's read, then a read for the change (the watcher's poll)
            board._after_form(new, "Added")
            board.load(board.focused_id())
        await settle(app)
        await pilot.pause()
        assert before != new
        assert board.focused_id() == new
