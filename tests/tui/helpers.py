"""Small helpers for Pilot tests of the screens: open one and wait for its data, and
hear what the app said."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.screens.base import WorkspaceScreen

S = TypeVar("S", bound=WorkspaceScreen)


async def open_screen(pilot: Pilot[Any], key: str, kind: type[S]) -> S:
    """From the loaded board, press `key` and wait for that screen's data."""
    await board_ready(pilot)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.ready)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


def record_notifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every notification from now on, as `title: message`."""
    said: list[str] = []
    original = TpmApp.notify

    def notify(self: TpmApp, message: str, *args: Any, **kwargs: Any) -> None:
        said.append(f"{kwargs.get('title', '')}: {message}")
        original(self, message, *args, **kwargs)

    monkeypatch.setattr(TpmApp, "notify", notify)
    return said


def status_line(screen: WorkspaceScreen) -> str:
    """The screen's status line as drawn."""
    from textual.widgets import Static

    return str(screen.query_one("#status-line", Static).render())


def notes(app: TpmApp) -> list[str]:
    """The notifications the app has shown so far."""
    return [str(n.message) for n in app._notifications]
