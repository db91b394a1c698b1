"""The board's status line tells the running sprint's points as the database holds them
straight after a move or an archive made on the board, not a second later when the
change check reads the board again."""

from __future__ import annotations

from collections.abc import Callable

from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import status_line
from tests.tui.test_sprint_screen import seed_sprints
from tpm_tui.app import TpmApp
from tpm_tui.db import Database
from tpm_tui.screens.board import BoardScreen
from tpm_tui.services import backlog
from tpm_tui.services.board import sprint_summary


def _said(board: BoardScreen, db: Database) -> str:
    summary = sprint_summary(db, board.workspace.clock.today())
    assert summary is not None
    return f"{summary.done}/{summary.committed} pts done"


async def test_a_move_and_an_archive_update_the_sprint_points_at_once(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    ids = seed_sprints(db)  # Sprint 25: 13 pts, 5 done; "CSV export" (3) in progress
    async with make_app().run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        board.watcher = None  # no change check (it re-reads within 1 s): the keys alone
        assert "Sprint 25 5/13 pts done" in status_line(board)
        board._set_current(board.columns["in_progress"])
        assert board.focused_id() == ids["csv"]
        await pilot.press("L", "L")  # to review, then to done
        await wait_until(pilot, lambda: backlog.get_item(db, ids["csv"]).status == "done")
        await wait_until(pilot, lambda: board.focused_id() == ids["csv"])
        assert _said(board, db) == "8/13 pts done"
        assert "Sprint 25 8/13 pts done" in status_line(board)
        await pilot.press("x")  # archive it: it leaves the sprint's points
        await wait_until(pilot, lambda: ids["csv"] not in board.columns["done"].ids)
        assert _said(board, db) == "5/10 pts done"
        assert "Sprint 25 5/10 pts done" in status_line(board)
