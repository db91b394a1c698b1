"""The board's filter line: a text that does not parse says why, on screen, for as long
as it is wrong, and the last filter that parsed stays applied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from tests.conftest import Seeded, location_for
from tests.tui.board_checks import assert_board_shows_db
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import open_database
from tpm_tui.screens.board import BoardScreen
from tpm_tui.services import backlog


def _on_screen(board: BoardScreen) -> str:
    """The text of every visible line of text on the board (status, hints, errors)."""
    return "\n".join(
        str(widget.render())
        for widget in board.query(Static)
        if widget.display and all(a.display for a in widget.ancestors_with_self if a is not board)
    )


def _shown(board: BoardScreen) -> list[int]:
    return [i for column in board.columns.values() for i in column.ids]


async def test_a_wrong_filter_says_why_and_the_last_good_one_stays(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, db_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("slash", *"kind:debt")
        await wait_until(pilot, lambda: board.data is not None and _shown(board) == [seeded.debt])
        await pilot.press(*" points:=>1")  # a points filter with a bad operator
        await settle(app)
        await pilot.pause()
        assert "points:=>1?" in _on_screen(board)
        assert _shown(board) == [seeded.debt]  # kind:debt still applied
        # a reload (here: a change from another program) must not hide the message
        other = open_database(location_for(db_path))
        backlog.edit_item(other, clock, seeded.debt, title="Replace the PDF layout")
        other.close()
        await wait_until(
            pilot,
            lambda: (
                board.data is not None
                and board.data.cards["backlog"][0].title == "Replace the PDF layout"
            ),
            tries=150,
        )
        await pilot.pause()
        assert "points:=>1?" in _on_screen(board)
        assert "filter kind:debt" in str(board.query_one("#status-line").render())
        assert_board_shows_db(board, seeded.db)
        field = board.query_one("#filter", Input)
        await pilot.press("enter")  # a wrong filter keeps the keys in its line
        assert field.has_focus
        await pilot.press("backspace", "backspace", "backspace", *">1")
        await wait_until(
            pilot, lambda: board.data is not None and board.data.item_filter.points is not None
        )
        assert "points:" not in _on_screen(board).replace("filter kind:debt points:>1", "")
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(_shown(board)) == 3)
        assert not board.query_one("#filter-bar").display


async def test_every_half_typed_filter_shows_the_parser_s_message(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    from tpm_tui.errors import InvalidInput
    from tpm_tui.services.filters import parse_filter

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("slash")
        field = board.query_one("#filter", Input)
        for text in ("owner:", "points:abc", "colour:red", "epic:billing"):
            field.value = text
            await pilot.pause()
            try:
                parse_filter(text)
            except InvalidInput as error:
                assert str(error) in _on_screen(board), text
                assert board.data is not None and not board.data.item_filter.active
            else:  # the parser takes it: applied, and no message
                await wait_until(
                    pilot,
                    lambda text=text: (
                        board.data is not None  # type: ignore[misc]
                        and board.data.item_filter.text == text
                    ),
                )
                assert "left out" not in _on_screen(board)


async def test_a_sprint_no_sprint_is_called_is_said_not_just_shown_empty(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("slash", *"sprint:nosuch")
        await wait_until(
            pilot, lambda: board.data is not None and board.data.item_filter.sprint == "nosuch"
        )
        await pilot.pause()
        assert _shown(board) == []
        said = _on_screen(board)
        assert "sprint:nosuch? no sprint has that name (the latest: Sprint 24" in said
        assert "nothing matches" in said
        field = board.query_one("#filter", Input)
        for half in ("sprint:Sprint 24", 'sprint:"Sprint 24'):  # no quotes, or one
            field.value = half
            await wait_until(pilot, lambda: "goes in quotes" in _on_screen(board))
            assert 'as in sprint:"Sprint 24"' in _on_screen(board)
        field.value = 'sprint:"sprint 24"'  # a sprint's name, any case: no message
        await wait_until(pilot, lambda: board.data is not None and _shown(board) != [])
        await pilot.pause()
        assert "no sprint has that name" not in _on_screen(board)
        assert seeded.story in _shown(board)  # (in Sprint 24)
        field.value = "sprint:nosuch points:abc"  # the parser's message comes first
        await pilot.pause()
        await settle(app)
        await pilot.pause()
        assert "points:abc?" in _on_screen(board)
        assert "no sprint has that name" not in _on_screen(board)
        field.value = "sprint:nosuch "  # fixed (the same filter): the note is back
        await pilot.pause()
        await settle(app)
        await pilot.pause()
        assert "points:abc?" not in _on_screen(board)
        assert "no sprint has that name" in _on_screen(board)
        await pilot.press("enter")  # a filter that parses: enter goes back to the board
        await pilot.pause()
        assert not field.has_focus
        assert "no sprint has that name" in _on_screen(board)


async def test_a_slow_read_for_an_older_filter_never_lands(
    seeded: Seeded, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from tpm_tui.services import board as board_service

    load_board = board_service.load_board

    def slow_for_words(*args: Any) -> Any:
        if args[3] is not None and args[3].words:
            time.sleep(0.4)  # the read for "kind:debt owner" is still running...
        return load_board(*args)

    monkeypatch.setattr(board_service, "load_board", slow_for_words)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("slash")
        field = board.query_one("#filter", Input)
        field.value = "kind:debt owner"
        await pilot.pause(0.05)
        field.value = "kind:debt owner:"  # ...when this one (read as kind:debt) is typed
        await pilot.pause(0.8)
        await settle(app)
        await pilot.pause()
        assert board.data is not None and board.data.item_filter.text == "kind:debt"
        assert _shown(board) == [seeded.debt]
        assert_board_shows_db(board, seeded.db)
