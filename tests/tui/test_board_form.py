"""The item form from the board: the parent picker's keys, the points rule, esc with
unsaved changes, a busy database while saving, and what the board says afterwards."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog

# Each test runs on SQLite and on a real PostgreSQL server (tests/conftest.py).
pytestmark = pytest.mark.both_engines


async def _open_form(pilot: object, app: TpmApp, key: str) -> ItemForm:
    await pilot.press(key)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))  # type: ignore[arg-type]
    form = app.screen
    assert isinstance(form, ItemForm)
    return form


async def _parent_typed(pilot: object, app: TpmApp, text: str) -> tuple[ItemForm, Input]:
    """A new item's form with `text` typed into its parent field."""
    await board_ready(pilot)  # type: ignore[arg-type]
    form = await _open_form(pilot, app, "n")
    parent = form.query_one("#field-parent_id", Input)
    parent.focus()
    await pilot.press(*text)  # type: ignore[attr-defined]
    return form, parent


def _error(form: ItemForm, name: str) -> str:
    box = form.query_one(f"#error-{name}")
    return str(box.render()) if box.display else ""


async def test_down_walks_the_parent_matches_and_enter_picks_one(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # matches: the epic "Self-serve invoicing", the feature "Invoice export"
        form, parent = await _parent_typed(pilot, app, "invoic")
        form.query_one("#field-title", Input).value = "Export me"
        options = form.query_one("#parent-options", OptionList)
        assert options.display and options.option_count == 2
        await pilot.press("down")
        assert parent.has_focus and parent.value == "invoic"  # the text stays as typed
        await pilot.press("down")
        assert options.highlighted == 1
        await pilot.press("up")
        assert options.highlighted == 0
        await pilot.press("down", "enter")
        assert parent.value == f"#{seeded.feature} Invoice export (feature)"
        assert not options.display
        assert form.query_one("#field-status", Select).has_focus  # on to the next field
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
    created = [i for i in backlog.list_items(seeded.db) if i.title == "Export me"]
    assert [i.parent_id for i in created] == [seeded.feature]


async def test_tab_leaves_the_parent_field(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form, parent = await _parent_typed(pilot, app, "export")
        await pilot.press("tab")
        assert form.query_one("#field-status", Select).has_focus
        assert parent.value == "export"
        await pilot.press("shift+tab")
        assert parent.has_focus and parent.value == "export"


async def test_points_keep_what_is_typed_and_say_the_rule(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        form = await _open_form(pilot, app, "e")
        points = form.query_one("#field-points", Input)
        points.focus()
        points.value = ""
        await pilot.press(*"-5abc500")
        assert points.value == "-5abc500"
        assert "whole number from 0 to 100" in _error(form, "points")  # said while typing
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ItemForm)
        assert points.value == "-5abc500"
        assert backlog.get_item(seeded.db, seeded.story).points == 5
        hint = str(form.query_one("#hint-points").render())
        assert "0–100" in hint and "empty" in hint


async def test_an_epic_s_points_are_its_roll_up(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("v", "v")  # epics
        await wait_until(pilot, lambda: app.screen.focused_id() == seeded.epic)  # type: ignore[attr-defined]
        form = await _open_form(pilot, app, "e")
        points = form.query_one("#field-points", Input)
        assert points.disabled
        hint = str(form.query_one("#hint-points").render())
        assert "roll-up" in hint and "10 pts" in hint  # 5 + 3 + 2 under it


async def test_esc_asks_before_throwing_away_changes(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    from tpm_tui.screens.item_form import DiscardChanges

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        form = await _open_form(pilot, app, "e")
        await pilot.press("escape")  # nothing changed: closes at once
        assert not isinstance(app.screen, ItemForm)

        form = await _open_form(pilot, app, "e")
        await pilot.press("end", *" as PDF")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardChanges))
        await pilot.press("escape")  # keep editing
        await wait_until(pilot, lambda: app.screen is form)
        title = form.query_one("#field-title", Input)
        assert title.value == "Export invoices as PDF"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardChanges))
        await pilot.press("d")  # discard
        await wait_until(pilot, lambda: not isinstance(app.screen, (ItemForm, DiscardChanges)))
        assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices"


@pytest.mark.sqlite_only  # another program's write lock on the file
async def test_a_busy_database_keeps_the_form_and_what_was_typed(
    seeded: Seeded, make_app: Callable[..., TpmApp], db_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        form = await _open_form(pilot, app, "e")
        await pilot.press("end", *" as PDF")
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program is writing
        try:
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.is_running and app.screen is form
            assert "busy" in _error(form, "form")
            assert form.query_one("#field-title", Input).value == "Export invoices as PDF"
        finally:
            other.execute("ROLLBACK")
            other.close()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
        assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices as PDF"


async def test_a_save_says_so_and_undo_says_what_it_took_back(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        form = await _open_form(pilot, app, "e")
        form.query_one("#field-points", Input).value = "8"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert f"Saved #{seeded.story} Export invoices" in said
        await pilot.press("u")
        await settle(app)
        said = [n.message for n in app._notifications]
        assert f"Undid the edit of #{seeded.story} (points)" in said
        assert backlog.get_item(seeded.db, seeded.story).points == 5


async def test_a_click_on_a_match_picks_it(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form, parent = await _parent_typed(pilot, app, "invoic")
        options = form.query_one("#parent-options", OptionList)
        await pilot.click(options, offset=(2, 1))  # the second match
        assert parent.value == f"#{seeded.feature} Invoice export (feature)"
        assert not options.display


async def test_a_new_item_is_under_the_cursor_once_saved(
    db: object, clock: object, make_app: Callable[..., TpmApp]
) -> None:
    """After ctrl+s on a new item the cursor is on it, even though the board also reads
    again on coming back from the form (the write changed the database behind it)."""
    from tpm_tui.services.demo import build_demo

    build_demo(db, clock)  # type: ignore[arg-type]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        form = await _open_form(pilot, app, "n")
        form.query_one("#field-title", Input).value = "Meter the retries"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
        (new,) = [i for i in backlog.list_items(db) if i.title == "Meter the retries"]  # type: ignore[arg-type]
        for _ in range(3):  # the form's read and the board's own (on coming back) land
            await settle(app)
            await pilot.pause(0.2)
        assert board.focused_id() == new.id
