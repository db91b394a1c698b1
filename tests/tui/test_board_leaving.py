"""A screen taken down as the app leaves: a change announced meanwhile (a team
server's notification comes from a thread of its own, at any moment) finds widgets
already gone, or no screen at all, and must not crash the app (NoMatches on CardList,
seen on a loaded CI run as the test's app left right after a write on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.screens.base import WorkspaceScreen
from tpm_tui.services import backlog
from tpm_tui.widgets.kanban_column import CardList
from tpm_tui.workspace import Workspace


def _announce_as_it_goes(
    monkeypatch: pytest.MonkeyPatch, app: TpmApp, widget_class: type[object]
) -> None:
    """Each widget of the class announces a change as it is taken down: the app handles
    it while the rest is still going."""
    monkeypatch.setattr(
        widget_class,
        "on_unmount",
        lambda self: app.post_message(TpmApp.ServerChanged()),
        raising=False,
    )


async def test_a_change_announced_as_the_card_lists_go(
    seeded: Seeded, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The board reads its cursor (to keep it) from columns without their card list."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        backlog.move_item(seeded.db, clock, seeded.story, "review")  # another terminal's
        _announce_as_it_goes(monkeypatch, app, CardList)
    # (Leaving the block takes the app down; a crash meanwhile is raised here.)


@pytest.mark.parametrize("mode", ["board", "roadmap", "time", "week", "sprint", "goals"])
async def test_a_change_announced_as_the_screen_goes(
    seeded: Seeded,
    clock: Clock,
    workspace_location: Location,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    """Handled once no screen is left."""
    app = TpmApp(Workspace(workspace_location, clock), mode)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, WorkspaceScreen) and app.screen.ready
        )
        await settle(app)
        backlog.move_item(seeded.db, clock, seeded.story, "review")
        _announce_as_it_goes(monkeypatch, app, WorkspaceScreen)
