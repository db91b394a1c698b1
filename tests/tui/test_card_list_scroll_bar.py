"""A column's scroll bar follows its cards when another program changes them: a column
that no longer overflows loses its bar, one that now overflows gets one, and the thumb
is sized for the cards shown (Textual tells a list's bar only when a layout gives the
list a new size; the board's columns keep theirs)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import location_for
from tests.tui.conftest import board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.services import backlog
from tpm_tui.services.demo import build_demo
from tpm_tui.widgets.kanban_column import CardList

SIZE = (120, 40)


def _bar(cards: CardList) -> tuple[int, int] | None:
    """The thumb's (content lines, window lines) as drawn, or None without a bar."""
    if not cards.show_vertical_scrollbar:
        return None
    bar = cards.vertical_scrollbar
    return int(bar.window_virtual_size), int(bar.window_size)


async def test_a_column_s_scroll_bar_follows_cards_changed_elsewhere(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], db_path: Path
) -> None:
    build_demo(db, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        first = board.query_one("#cards-backlog", CardList)
        review = board.query_one("#cards-review", CardList)
        assert first.virtual_size.height > first.size.height  # overflows: a bar
        assert _bar(first) == (first.virtual_size.height, first.size.height)
        assert _bar(review) is None
        moved = [item.id for item in first.items[:10]]
        other = open_database(location_for(db_path))
        try:
            for item_id in moved:
                backlog.move_item(other, clock, item_id, "review")
        finally:
            other.close()
        await wait_until(pilot, lambda: {i.id for i in review.items} >= set(moved))
        await settle(app)
        await pilot.pause()
        assert first.virtual_size.height <= first.size.height  # fits now: no bar
        assert _bar(first) is None
        assert review.virtual_size.height > review.size.height  # overflows now
        assert _bar(review) == (review.virtual_size.height, review.size.height)
