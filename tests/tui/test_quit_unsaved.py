"""ctrl+q (and q, and the palette's Quit) with unsaved text anywhere in the app asks
first — the PRD editor, the sprint's retro note, the item form — and with nothing
unsaved quits at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.screens.item_form import ItemForm, QuitUnsaved
from tpm_tui.screens.prd import DocumentEditor, open_prd
from tpm_tui.screens.sprint import SprintScreen


async def _asked(pilot: Pilot[Any], app: TpmApp, what: str) -> QuitUnsaved:
    await pilot.press("ctrl+q")
    await wait_until(pilot, lambda: isinstance(app.screen, QuitUnsaved))
    dialog = app.screen
    assert isinstance(dialog, QuitUnsaved)
    assert what in dialog.question
    assert app.return_code is None  # not gone
    return dialog


async def _new_item_form(pilot: Pilot[Any], app: TpmApp, typed: str = "") -> ItemForm:
    """The board's New item form, with `typed` in its title."""
    await board_ready(pilot)
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
    await pilot.press(*typed)
    form = app.screen
    assert isinstance(form, ItemForm)
    return form


async def _stay_then_quit(pilot: Pilot[Any], app: TpmApp, what: str, back_to: object) -> None:
    await _asked(pilot, app, what)
    await pilot.press("n")  # stay
    await wait_until(pilot, lambda: app.screen is back_to)
    assert app.return_code is None
    await _asked(pilot, app, what)
    await pilot.press("escape")  # stay too
    await wait_until(pilot, lambda: app.screen is back_to)
    await _asked(pilot, app, what)
    await pilot.press("y")  # quit, throwing the text away
    await wait_until(pilot, lambda: app.return_code is not None)


async def test_the_prd_editor_asks_before_ctrl_q_drops_its_text(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        open_prd(board, seeded.epic)
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentEditor))
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        await pilot.press(*"Paid")
        await _asked(pilot, app, f"the PRD of #{seeded.epic}")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is editor)
        assert editor.text.startswith("Paid")  # every character kept
        await _stay_then_quit(pilot, app, f"the PRD of #{seeded.epic}", editor)


async def test_the_retro_note_asks_before_ctrl_q_drops_its_text(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("5")
        await wait_until(
            pilot, lambda: isinstance(app.screen, SprintScreen) and app.screen.planning is not None
        )
        screen = app.screen
        assert isinstance(screen, SprintScreen)
        await settle(app)
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.query_one("#retro-note", TextArea).has_focus)
        assert screen.unsaved_changes() is None  # the template, untouched
        await pilot.press(*"Went well")
        note = screen.query_one("#retro-note", TextArea)
        await _asked(pilot, app, "the retro note of Sprint 24")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert note.text.startswith("Went well")
        await _stay_then_quit(pilot, app, "the retro note of Sprint 24", screen)


async def test_the_item_form_asks_before_ctrl_q_drops_its_text(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_item_form(pilot, app, "Refunds")
        await _asked(pilot, app, "the item form")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is form)
        assert form.query_one("#field-title", Input).value == "Refunds"
        await _stay_then_quit(pilot, app, "the item form", form)


async def test_ctrl_q_quits_at_once_with_nothing_unsaved(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_item_form(pilot, app)  # a form opened, nothing typed
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: app.return_code is not None)


async def test_ctrl_q_twice_quits(seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_item_form(pilot, app, "Refunds")
        await _asked(pilot, app, "the item form")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: app.return_code is not None)


async def test_the_editor_on_its_own_asks_before_ctrl_q_drops_its_text() -> None:
    from tpm_tui.screens.prd import EditorApp

    app = EditorApp("Vision", "# Vision\n", lambda _: "saved", None)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        await pilot.press(*"Paid", "ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitUnsaved))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is editor)
        assert editor.text.startswith("Paid")
        await pilot.press("ctrl+q", "y")
        await wait_until(pilot, lambda: app.return_code is not None)
