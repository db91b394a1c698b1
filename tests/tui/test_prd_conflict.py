"""The PRD editor meets a version saved elsewhere since it opened: ctrl+s refuses and
says so (every typed character kept); ctrl+s again saves mine over it, ctrl+r takes
theirs (ctrl+z brings mine back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import notes
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.screens.prd import DocumentEditor, open_prd
from tpm_tui.services import prd


def _status(editor: DocumentEditor) -> str:
    return str(editor.query_one("#doc-status", Static).render())


async def _refused(pilot: Pilot[Any], app: TpmApp, seeded: Seeded, clock: Clock) -> DocumentEditor:
    """The editor open on version 1, version 2 saved elsewhere, "Mine " typed, ctrl+s."""
    prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\nOne.")
    board = await board_ready(pilot)
    open_prd(board, seeded.epic)
    await wait_until(pilot, lambda: isinstance(app.screen, DocumentEditor))
    editor = app.screen
    assert isinstance(editor, DocumentEditor)
    prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\nTheirs.")  # the shell's edit
    await pilot.press(*"Mine ", "ctrl+s")
    await pilot.pause()
    assert "not saved: version 2 was saved elsewhere" in _status(editor)
    assert "ctrl+s again saves yours over it" in _status(editor)
    assert editor.query_one("#doc-status").has_class("-refused")  # in the error colour
    assert notes(app) == []  # no toast over the status line's choices (at 80 columns)
    assert editor.text == "Mine # PRD\n\nOne."  # kept
    assert editor.unsaved
    found = prd.current(seeded.db, seeded.epic)
    assert found is not None and found.body == "# PRD\n\nTheirs."  # not reverted
    return editor


async def test_a_save_over_a_newer_version_is_refused_then_made_on_ctrl_s_again(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        editor = await _refused(pilot, app, seeded, clock)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert editor.last_said is not None and "saved version 3" in editor.last_said
        assert not editor.unsaved
    found = prd.current(seeded.db, seeded.epic)
    assert found is not None and found.body == "Mine # PRD\n\nOne."


async def test_ctrl_r_takes_theirs_and_ctrl_z_brings_mine_back(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        editor = await _refused(pilot, app, seeded, clock)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert editor.text == "# PRD\n\nTheirs." and not editor.unsaved
        await pilot.press("ctrl+z")
        assert editor.text == "Mine # PRD\n\nOne."
        await pilot.press("ctrl+s")  # over theirs now: saved at once
        await pilot.pause()
        assert editor.last_said is not None and "saved version 3" in editor.last_said


async def test_with_nothing_typed_a_version_saved_elsewhere_is_shown(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\nOne.")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        open_prd(await board_ready(pilot), seeded.epic)
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentEditor))
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\nTheirs.")
        await wait_until(pilot, lambda: editor.text == "# PRD\n\nTheirs.", tries=400)
        assert "version 2 was saved elsewhere: shown" in _status(editor)
        assert not editor.unsaved
        await pilot.press(*"Mine ", "ctrl+s")  # over version 2: saved at once
        await pilot.pause()
        assert editor.last_said is not None and "saved version 3" in editor.last_said
