"""What the sprint screen looks like: planning, the burndown mid-sprint (frozen clock:
Thursday of the sprint's first week), the retro note, the stand-up and how the
capacity was made (c), each at 80x24 and 160x50. Look at the SVGs (as PNG) before
`--snapshot-update`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.conftest import wait_until
from tests.tui.test_sprint_screen import seed_sprints, settled, sprint_ready
from tests.unit.test_sprints import at
from tpm_tui.app import TpmApp
from tpm_tui.db import Database
from tpm_tui.screens.sprint import CapacityShown, SprintScreen
from tpm_tui.services import backlog

SIZES = [(80, 24), (160, 50)]


def _at_view(key: str | None) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Open the sprint screen and, if `key`, switch it to another view."""

    async def run(pilot: Pilot[Any]) -> None:
        screen = await sprint_ready(pilot)
        if key is not None:
            await pilot.press(key)
            if key == "d":
                text = screen.query_one("#standup-text", Static)
                await wait_until(pilot, lambda: bool(str(text.render()).strip()))
            await settled(pilot, screen)
        if key == "c":
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, CapacityShown))
            await pilot.pause()
            return
        assert isinstance(pilot.app.screen, SprintScreen)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "view",
    [None, "b", "r", "d", "c"],
    ids=["planning", "burndown", "retro", "standup", "capacity"],
)
def test_sprint_screen(
    snap_compare: Any,
    db: Database,
    make_app: Callable[..., TpmApp],
    view: str | None,
    size: tuple[int, int],
) -> None:
    ids = seed_sprints(db)
    if view == "d":  # a stand-up with every part: done, in progress, blocked, stale
        backlog.move_item(db, at(25, 16), ids["csv"], "done")
        backlog.move_item(db, at(25, 9), ids["wrap"], "in_progress")
        backlog.move_item(db, at(20, 10), ids["retry"], "in_progress")
    assert snap_compare(make_app(), terminal_size=size, run_before=_at_view(view))
