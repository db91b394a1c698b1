"""The board tells the truth: after every key, form save and outside change, each card
on screen reads as the database holds it, in the database's order."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Seeded, location_for
from tests.tui.board_checks import assert_board_shows_db, rendered_cards
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.screens.board import BoardScreen
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog
from tpm_tui.services.demo import build_demo
from tpm_tui.widgets.kanban_column import KanbanColumn


def _forms(app: TpmApp) -> int:
    return sum(isinstance(screen, ItemForm) for screen in app.screen_stack)


async def _settled(pilot: object, board: BoardScreen) -> None:
    """Wait for loads in flight (the board reloads after its own writes too)."""
    app = board.app
    await settle(app)
    await pilot.pause()  # type: ignore[attr-defined]
    await settle(app)
    await pilot.pause()  # type: ignore[attr-defined]


async def test_raise_and_lower_redraw_the_cards_they_swap(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("l", "j")  # To Do, second card
        second = board.focused_id()
        assert_board_shows_db(board, db)
        await pilot.press("K")
        assert board.focused_id() == second
        assert_board_shows_db(board, db)  # straight after the key, before any reload
        column = board.columns["todo"]
        assert rendered_cards(column)[0][0].strip().startswith(f"#{second} ")
        await _settled(pilot, board)
        assert_board_shows_db(board, db)
        await pilot.press("J", "J")
        assert_board_shows_db(board, db)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        heading = str(app.screen.query_one("#form-heading").render())
        assert heading == f"Edit #{board.focused_id()}"


async def test_a_form_save_redraws_the_card(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    db = seeded.db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.focused_id() == seeded.story
        for points in ("1", ""):
            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
            app.screen.query_one("#field-points").value = points  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
            await _settled(pilot, board)
            assert backlog.get_item(db, seeded.story).points == (int(points) if points else None)
            assert_board_shows_db(board, db)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        from textual.widgets import Select

        app.screen.query_one("#field-kind", Select).value = "bug"
        app.screen.query_one("#field-title").value = "Invoices export twice"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
        await _settled(pilot, board)
        assert_board_shows_db(board, db)


async def test_an_edit_from_another_program_shows_within_two_seconds(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, db_path: Path
) -> None:
    db = seeded.db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        column = board.query_one("#column-backlog", KanbanColumn)
        other = open_database(location_for(db_path))
        try:
            changes: list[tuple[int, dict[str, object]]] = [
                (seeded.story, {"title": "Renamed from the shell"}),
                (seeded.story, {"points": 8}),
                (seeded.debt, {"kind": "bug"}),
                (seeded.debt, {"owner": "ana"}),
            ]
            for item_id, change in changes:
                backlog.edit_item(other, clock, item_id, **change)
                started = time.monotonic()
                await wait_until(
                    pilot,
                    lambda: (
                        any(
                            "Renamed from the shell" in " ".join(" ".join(lines).split())
                            for lines in rendered_cards(column)
                        )
                        and board.data is not None
                        and all(
                            card == backlog.get_item(db, card.id)
                            for cards in board.data.cards.values()
                            for card in cards
                        )
                    ),
                    tries=150,
                )
                assert time.monotonic() - started < 2.5
                await _settled(pilot, board)
                assert_board_shows_db(board, db)
            backlog.reorder_item(other, clock, seeded.debt, -1)
            await wait_until(pilot, lambda: column.ids == [seeded.debt, seeded.story], tries=150)
            assert_board_shows_db(board, db)
            backlog.set_archived(other, clock, seeded.debt, True)
            await wait_until(pilot, lambda: column.ids == [seeded.story], tries=150)
            assert_board_shows_db(board, db)
        finally:
            other.close()


async def test_one_click_opens_one_form(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        cards = board.query_one("#column-backlog", KanbanColumn).cards
        await pilot.click(cards, offset=(3, 0))
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        await pilot.pause(0.1)
        assert _forms(app) == 1
        await pilot.click("#form-heading")  # a click on the open form does nothing
        await pilot.pause(0.1)
        assert _forms(app) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert _forms(app) == 0 and app.screen is board
