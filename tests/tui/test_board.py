"""The board through its keys: what the database holds afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tests.conftest import Seeded
from tests.tui.board_checks import rendered_cards
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog
from tpm_tui.widgets.kanban_column import KanbanColumn

# Each test runs on SQLite and on a real PostgreSQL server (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def _place(db: Database, item_id: int) -> tuple[str, int, object, bool]:
    item = backlog.get_item(db, item_id)
    return item.status, item.rank, item.done_at, item.archived


async def test_move_reorder_archive_and_undo_reach_the_database(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    db = seeded.db
    start = {i: _place(db, i) for i in (seeded.story, seeded.debt, seeded.bug)}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.focused_id() == seeded.story  # first card of the first column
        await pilot.press("L")
        assert _place(db, seeded.story)[0] == "todo"
        assert board.focused_id() == seeded.story  # the focus went with it
        await pilot.press("shift+right", "shift+right", "L")
        assert _place(db, seeded.story)[0] == "done"
        assert backlog.get_item(db, seeded.story).done_at is not None
        await pilot.press("H")
        assert _place(db, seeded.story)[0] == "review"
        for _ in range(5):  # five moves back
            await pilot.press("u")
        await settle(pilot.app)
        assert _place(db, seeded.story) == start[seeded.story]  # exactly as it was

        await pilot.press("j")  # the debt, second in Backlog
        assert board.focused_id() == seeded.debt
        await pilot.press("K")
        assert [
            c.id for c in backlog.list_items(db, status="backlog", kinds=backlog.LEAF_KINDS)
        ] == [
            seeded.debt,
            seeded.story,
        ]
        await pilot.press("J")
        assert _place(db, seeded.debt)[1] == start[seeded.debt][1]

        await pilot.press("x")
        assert _place(db, seeded.debt)[3] is True
        column = board.query_one("#column-backlog", KanbanColumn)
        assert column.ids == [seeded.story]
        await pilot.press("u")  # brings the debt back
        await settle(pilot.app)
        await pilot.pause()
        assert {i: _place(db, i) for i in start} == start
        assert column.ids == [seeded.story, seeded.debt]
        await pilot.press("u")  # takes back the J: the debt is raised again
        await settle(pilot.app)
        assert _place(db, seeded.debt)[1] < _place(db, seeded.story)[1]


async def test_focus_moves_between_columns_and_skips_nothing(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("l")  # To Do is empty: the column itself takes the focus
        assert board.focused_id() is None
        await pilot.press("l", "l", "l")
        assert board.focused_id() == seeded.bug  # Done
        await pilot.press("L")  # no column to the right: nothing happens
        assert _place(seeded.db, seeded.bug)[0] == "done"
        await pilot.press("h", "h", "h", "h")
        assert board.focused_id() == seeded.story


async def test_new_item_form_validates_inline_and_saves(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        form = app.screen
        assert isinstance(form, ItemForm)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ItemForm)  # refused: stays open
        assert "the title is empty" in str(form.query_one("#error-title").render())
        await pilot.press(*"Export to Excel")
        form.query_one("#field-points").value = "500"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ItemForm)
        assert "from 0 to 100" in str(form.query_one("#error-points").render())
        assert form.query_one("#field-title").value == "Export to Excel"  # type: ignore[attr-defined]
        form.query_one("#field-points").value = "8"  # type: ignore[attr-defined]
        parent = form.query_one("#field-parent_id")
        parent.focus()
        parent.value = "invoice exp"  # type: ignore[attr-defined]
        form.query_one("#field-target_date").value = "2026-12-24"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
        await settle(pilot.app)
    created = [i for i in backlog.list_items(seeded.db) if i.title == "Export to Excel"]
    assert len(created) == 1
    item = created[0]
    assert (item.kind.value, item.points, item.parent_id, item.status, item.target_date) == (
        "story",
        8,
        seeded.feature,
        "backlog",
        date(2026, 12, 24),
    )


async def test_edit_form_escape_cancels_and_edit_is_undoable(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        app.screen.query_one("#field-title").value = "Changed but cancelled"  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        app.screen.query_one("#field-title").value = "Export invoices as PDF"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
        assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices as PDF"
        await pilot.press("u")
        assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices"


async def test_filter_narrows_and_escape_clears(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("slash", *"kind:debt")
        await settle(pilot.app)
        await wait_until(
            pilot, lambda: board.data is not None and board.data.item_filter.text == "kind:debt"
        )
        shown = [i for c in board.columns.values() for i in c.ids]
        assert shown == [seeded.debt]
        assert board.data is not None and board.data.hidden == 2
        status = str(board.query_one("#status-line").render())
        assert "filter kind:debt" in status and "hides 2" in status
        await pilot.press("escape")
        await settle(pilot.app)
        await wait_until(pilot, lambda: sum(len(c.ids) for c in board.columns.values()) == 3)


async def test_level_switch_and_epic_tree(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("v")
        await wait_until(
            pilot, lambda: [i for c in board.columns.values() for i in c.ids] == [seeded.feature]
        )
        await pilot.press("v")
        await wait_until(
            pilot, lambda: [i for c in board.columns.values() for i in c.ids] == [seeded.epic]
        )
        await pilot.press("v", "b")
        await settle(app)
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # root, epic, feature
        await wait_until(
            pilot,
            lambda: board.data is not None and board.data.item_filter.feature_id == seeded.feature,
        )
        shown = {i for c in board.columns.values() for i in c.ids}
        assert shown == {seeded.story, seeded.bug}


async def test_changes_from_another_process_show_up(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    from tpm_tui.db import open_database

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        other = open_database(workspace_location)
        backlog.move_item(other, clock, seeded.debt, "review")
        other.close()
        await wait_until(
            pilot,
            lambda: board.query_one("#column-review", KanbanColumn).ids == [seeded.debt],
            tries=150,
        )
        assert board.focused_id() == seeded.story  # the focus stayed where it was


async def test_markup_and_escapes_in_titles_show_literally(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    item = backlog.create_item(db, clock, "story", "[bold]x[/] [@click=app.quit]bye[/] a [/] b")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        column = board.query_one("#column-backlog", KanbanColumn)
        drawn = " ".join(" ".join(rendered_cards(column)[0]).split())
        assert drawn.startswith(f"#{item.id} [bold]x[/] [@click=app.quit]bye")
        await pilot.click(column.cards)
        assert app.is_running  # the "link" did not quit the app
        # The click opened the card; the test leaves once its form is up (the pilot took
        # the app down while the form still mounted: Textual's Select found no label).
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm) and app.screen.is_mounted)


async def test_empty_workspace_says_how_to_start(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        hint = str(board.query_one("#empty-hint").render())
        assert "Press n to add the first one" in hint and "tpm demo" in hint


async def test_help_lists_the_screen_keys(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    from tpm_tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for expected in ("H, shift+←", "Move left", "u", "Undo", "ctrl+p", "q"):
            assert expected in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_jumps_to_an_item_by_title(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.focused_id() == seeded.story
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"PDF totals")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: board.focused_id() == seeded.bug)
        assert board.current == "done"
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Invoice export")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: board.focused_id() == seeded.feature)
        assert board.data is not None and board.data.level.value == "features"


async def test_a_new_epic_shows_at_the_epic_level(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    from textual.widgets import Select

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        app.screen.query_one("#field-kind", Select).value = "epic"
        await pilot.press(*"Usage-based billing", "enter")
        await wait_until(
            pilot, lambda: board.data is not None and board.data.level.value == "epics"
        )
        await wait_until(pilot, lambda: board.focused_id() is not None)
    epics = backlog.list_items(db)
    assert [(i.kind.value, i.title) for i in epics] == [("epic", "Usage-based billing")]
