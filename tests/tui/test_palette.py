"""The command palette on every screen: every key as a named action, the screen
switches, actions before items, and a jump to any item through the board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandList, CommandPalette

from tests.conftest import Seeded, location_for
from tests.tui.conftest import SIZE, wait_until
from tpm_tui.app import TpmApp, screen_class
from tpm_tui.clock import Clock
from tpm_tui.screens.base import WorkspaceScreen
from tpm_tui.screens.board import BoardScreen
from tpm_tui.screens.palette import LONGER_NAMES, SCREEN_NAMES, commands
from tpm_tui.services import backlog
from tpm_tui.workspace import Workspace


def _app(db_path: Path, clock: Clock, mode: str) -> TpmApp:
    return TpmApp(Workspace(location_for(db_path), clock, name="~/work/tpm.db"), mode)


SCREENS: dict[str, type[WorkspaceScreen]] = {mode: screen_class(mode) for mode in TpmApp.MODES}


async def _ready(pilot: Any, app: TpmApp, mode: str) -> WorkspaceScreen:
    screen_type = SCREENS[mode]
    await wait_until(pilot, lambda: isinstance(app.screen, screen_type) and app.screen.ready)
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen)
    return screen


async def _palette(pilot: Any, app: TpmApp, query: str) -> list[str]:
    """Open the palette, type `query`, and return the hits' names, best first."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    palette = app.screen
    await wait_until(pilot, lambda: palette.query_one(CommandList).option_count > 0)
    await pilot.pause(0.4)  # the palette gathers hits in batches
    options = palette.query_one(CommandList).options
    return [str(option.prompt).split("\n")[0] for option in options]


@pytest.mark.parametrize("mode", list(TpmApp.MODES))
async def test_every_key_of_every_screen_is_in_the_palette(
    seeded: Seeded, db_path: Path, clock: Clock, mode: str
) -> None:
    app = _app(db_path, clock, mode)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app, mode)
        names = {c.name for c in commands(app, screen)}
        for binding in [*type(screen).BINDINGS, *app.BINDINGS]:
            assert isinstance(binding, Binding)
            if binding.action.startswith("switch_mode(") or not binding.description:
                continue  # screen switches are named after the screen; twins are not listed
            expected = LONGER_NAMES.get(binding.action, binding.description)
            assert expected in names, f"{mode}: {expected}"
        for name in ("Board", "Roadmap", "Time", "Week", "Log time", "Start timer", "Stop timer"):
            assert name in names, f"{mode}: {name}"
        for other, screen_type in SCREENS.items():  # other screens' keys switch first
            if other != mode:
                for binding in screen_type.BINDINGS:
                    assert isinstance(binding, Binding)
                    if binding.description:  # an undescribed twin of a described key
                        assert f"{SCREEN_NAMES[other]}: {binding.description}" in names


async def test_actions_rank_before_items_and_run(
    seeded: Seeded, db_path: Path, clock: Clock
) -> None:
    backlog.create_item(seeded.db, clock, "story", "Rotate the log files nightly")
    app = _app(db_path, clock, "board")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app, "board")
        hits = await _palette(pilot, app, "log")
        assert hits[0] == "Log time"
        assert any("Rotate the log files" in hit for hit in hits)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
        hits = await _palette(pilot, app, "roadmap")
        assert hits[0] == "Roadmap"
        await pilot.press("enter")
        await _ready(pilot, app, "roadmap")


async def test_an_item_found_from_another_screen_opens_on_the_board(
    seeded: Seeded, db_path: Path, clock: Clock
) -> None:
    app = _app(db_path, clock, "week")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app, "week")
        hits = await _palette(pilot, app, "PDF totals")
        assert hits[0] == f"#{seeded.bug} PDF totals wrap"
        await pilot.press("enter")
        board = await _ready(pilot, app, "board")
        assert isinstance(board, BoardScreen)
        await wait_until(pilot, lambda: board.focused_id() == seeded.bug)
        assert board.current == "done"
