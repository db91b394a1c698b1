"""The detail pane: `i` (or space) shows the card under the cursor in full, and follows
the cursor and the database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Markdown

from tests.conftest import Seeded, location_for
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import open_database
from tpm_tui.screens.board import BoardScreen
from tpm_tui.services import backlog
from tpm_tui.widgets.detail_pane import DetailPane

LONG = "Export invoices as PDF with the company logo, the VAT id and a page footer [b]x[/]"


def _pane_text(board: BoardScreen) -> str:
    pane = board.query_one(DetailPane)
    parts = [
        str(w.render())
        for w in pane.query("#detail-heading, #detail-facts, .detail-section")
        if w.display
    ]
    for markdown in pane.query(Markdown):
        if markdown.display:
            parts += [str(block._content) for block in markdown.query("MarkdownBlock")]  # type: ignore[attr-defined]
    return " ".join(" ".join(parts).split())  # wrapped lines read as one


async def test_the_pane_shows_the_focused_card_in_full_and_follows_the_cursor(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, db_path: Path
) -> None:
    db = seeded.db
    backlog.edit_item(
        db,
        clock,
        seeded.story,
        title=LONG,
        owner="ana",
        description="Finance asks for **PDF**; see [the spec](https://example.com) "
        "[@click=app.quit]x[/]",
        acceptance="- [ ] the logo shows\n- [ ] totals match",
    )
    backlog.add_dependency(db, seeded.story, seeded.bug)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert not board.query(DetailPane)  # built on first use
        await pilot.press("i")
        pane = board.query_one(DetailPane)
        await wait_until(pilot, lambda: pane.detail is not None)
        await settle(app)
        await pilot.pause()
        text = _pane_text(board)
        for expected in (
            LONG,  # the whole title, markup-looking text as typed
            "STORY",
            "5 pts",
            f"#{seeded.epic} Self-serve invoicing (epic)",
            f"› #{seeded.feature} Invoice export (feature)",
            "@ana",
            "Sprint 24",
            f"#{seeded.bug} PDF totals wrap (Done)",  # its blocker, and where it is
            "Finance asks for",
            "[@click=app.quit]x[/]",
            "the logo shows",
        ):
            assert expected in text, expected
        assert app.is_running
        await pilot.press("j")  # the debt
        await wait_until(
            pilot, lambda: pane.detail is not None and pane.detail.item.id == seeded.debt
        )
        text = _pane_text(board)
        assert "Replace PDF layout" in text and "DEBT" in text and "Finance" not in text
        # a change from another program shows in the pane too
        other = open_database(location_for(db_path))
        backlog.edit_item(other, clock, seeded.debt, points=13)
        other.close()
        await wait_until(pilot, lambda: "13 pts" in _pane_text(board), tries=150)
        await pilot.press("space")
        assert not pane.display


async def test_an_epic_shows_its_roll_up(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("v", "v")
        await wait_until(pilot, lambda: board.focused_id() == seeded.epic)
        await pilot.press("i")
        pane = board.query_one(DetailPane)
        await wait_until(pilot, lambda: pane.detail is not None)
        text = _pane_text(board)
        assert "10 pts rolled up from 3 items, 3 done (30%)" in text
