"""A read-only workspace (TPM_READ_ONLY, as `tpm serve --read-only` runs its tabs): every
screen says so in its header, and a key that writes is refused with a message while the
app keeps running."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.screen import Screen
from textual.widgets import Static

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.config import READ_ONLY_ENV
from tpm_tui.screens.base import WorkspaceScreen
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog


def _badge(screen: Screen[object]) -> str:
    """The text of the screen's read-only badge (the status bar, on every screen)."""
    return str(screen.query_one("#read-only-badge", Static).render())


async def test_every_screen_says_read_only_and_a_move_is_refused(
    seeded: Seeded, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(READ_ONLY_ENV, "1")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert _badge(board) == "read-only"
        await pilot.press("L")
        await wait_until(pilot, lambda: bool(app._notifications))
        assert backlog.get_item(seeded.db, seeded.story).status == "backlog"
        (note,) = list(app._notifications)
        assert "read-only" in str(note.message) and note.severity == "error"
        for key in "234":
            await pilot.press(key)
            await wait_until(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
            assert _badge(app.screen) == "read-only", key
        assert app.is_running


async def test_a_writable_workspace_does_not_say_read_only(
    seeded: Seeded, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(READ_ONLY_ENV, raising=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert not board.query("#read-only-badge")
        await pilot.press("L")
        assert backlog.get_item(seeded.db, seeded.story).status == "todo"


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (150, 38)])
async def test_the_forms_refusal_and_buttons_stay_on_a_short_screen(
    seeded: Seeded,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    """A short terminal (a browser tab at 1280x800 is about 38 rows) scrolls the fields,
    never the refusal line or the buttons off the screen."""
    monkeypatch.setenv(READ_ONLY_ENV, "1")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        form = app.screen
        await pilot.press("end", "!", "ctrl+s")
        error = form.query_one("#error-form", Static)
        await wait_until(pilot, lambda: bool(error.display))
        box = form.query_one("#form-box").region
        for widget in (error, form.query_one("#form-save"), form.query_one("#form-cancel")):
            assert box.contains_region(widget.region), (widget, widget.region, box)
        assert "read-only" in str(error.render())
