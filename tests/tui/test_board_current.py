"""The current column (the one the keys act on) is marked without restyling its cards:
a move or a column change must not send the columns through the stylesheet (that
restyles their scroll bars, lays out the whole screen and drops every cached card)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.color import Color

from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.board import NARROW, BoardScreen
from tpm_tui.services.demo import build_demo
from tpm_tui.widgets.kanban_column import CardList, ColumnHeader, KanbanColumn


def _current_headers(board: BoardScreen) -> list[str]:
    return [
        key
        for key, column in board.columns.items()
        if column.query_one(ColumnHeader).has_class("-current")
    ]


def _cursor_background(column: KanbanColumn) -> Color | None:
    cards = column.cards
    assert cards.highlighted is not None
    y = cards.highlighted * cards.card_height - round(cards.scroll_offset.y)
    style = next(iter(cards.render_line(y))).style
    assert style is not None and style.bgcolor is not None
    return Color.from_rich_color(style.bgcolor)


async def test_a_move_and_a_column_change_restyle_no_column(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(db, clock)
    restyled: list[CardList] = []
    original = CardList.notify_style_update

    def counted(self: CardList) -> None:
        restyled.append(self)
        original(self)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        first = board.current
        monkeypatch.setattr(CardList, "notify_style_update", counted)
        await pilot.press("L")
        await wait_until(pilot, lambda: board.current != first)
        await pilot.press("h", "l")
        await pilot.pause()
        assert restyled == []


async def test_the_current_column_has_the_marked_header_and_cursor(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        first = board.current
        assert first is not None
        assert _current_headers(board) == [first]
        await pilot.press("L")
        await wait_until(pilot, lambda: board.current != first)
        second = board.current
        assert second is not None
        assert _current_headers(board) == [second]
        cursor = Color.parse(app.theme_variables["block-cursor-background"])
        assert _cursor_background(board.columns[second]) == cursor
        board.columns[first].highlight(None)
        await pilot.pause()
        assert _cursor_background(board.columns[first]) != cursor  # the blurred cursor


async def test_a_narrow_board_with_the_detail_pane_shows_the_current_column(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    app = make_app()
    async with app.run_test(size=(NARROW - 40, 40)) as pilot:
        board = await board_ready(pilot)
        await pilot.press("i")
        await wait_until(pilot, lambda: board.query_one("#board-body").has_class("-narrow"))

        def shown() -> list[str]:
            return [key for key, column in board.columns.items() if column.display]

        assert shown() == [board.current]
        first = board.current
        await pilot.press("L")
        await wait_until(pilot, lambda: board.current != first)
        assert shown() == [board.current]
        await pilot.press("h")
        await wait_until(pilot, lambda: board.current == first)
        assert shown() == [first]
        await pilot.press("i")  # closed: every column again
        await wait_until(pilot, lambda: not board.query_one("#board-body").has_class("-narrow"))
        assert shown() == list(board.columns)
