"""Building the app on a test workspace, and waiting for the board to load."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.conftest import location_for
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.screens.board import BoardScreen
from tpm_tui.workspace import Workspace

__all__ = ["SIZE", "Workspace", "board_ready", "location_for", "settle", "wait_until"]

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def make_app(workspace_location: Location, clock: Clock) -> Callable[..., TpmApp]:
    """An app on the test's database (a SQLite file with a fixed name, or in a module
    marked both_engines also the test's PostgreSQL database, named as the header names
    a team's), with the frozen clock."""

    def make(path: Path | None = None) -> TpmApp:
        location = location_for(path) if path is not None else workspace_location
        name = "~/work/tpm.db" if location.path is not None else None
        return TpmApp(Workspace(location, clock, name=name))

    return make


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], tries: int = 200) -> None:
    """Let the app run until `condition` holds (the board loads in a thread)."""
    for _ in range(tries):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


async def settle(app: App[Any]) -> None:
    """Wait for every worker of the app to end. A worker cancelled by a newer one of its
    exclusive group (a timer read replaced by the next) is how the app works, not a
    failure; a worker that raised is."""
    from textual.worker import WorkerCancelled

    workers = list(app.workers)
    results = await asyncio.gather(*(w.wait() for w in workers), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, WorkerCancelled):
            raise result


async def board_ready(pilot: Pilot[Any]) -> BoardScreen:
    """Wait for the board's first load and return the screen."""
    await wait_until(
        pilot,
        lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.data is not None,
    )
    await settle(pilot.app)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    return screen
