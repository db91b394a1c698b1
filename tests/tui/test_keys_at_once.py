"""Keys typed at once (a fast typist, a paste, a macro) go where they would go one by
one: into the field a key opens or moves to, never to the screen behind it, and none
is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.entry_form import EntryForm
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.screens.time import TimeScreen
from tpm_tui.screens.timekeeping import LineModal
from tpm_tui.services import timetrack


async def at_once(pilot: Pilot[Any], *keys: str) -> None:
    """Deliver `keys` as a terminal delivers a burst (a paste, a macro, a fast typist):
    all in the app's queue before the first is handled. (`pilot.press` waits for the
    app to go idle after each key, which hides every race this file is about.)"""
    import unicodedata

    app = pilot.app
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        try:
            char: str | None = unicodedata.lookup(
                _get_unicode_name_from_key(REPLACED_KEYS.get(name, name))
            )
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(name, char)
        event.set_sender(app)
        app.post_message(event)
    await pilot.pause()


def _value(app: TpmApp, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


async def test_keys_typed_as_the_item_form_opens_land_in_its_title(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await at_once(pilot, "n", *"bug")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        assert _value(app, "#field-title") == "bug"


async def test_keys_typed_after_slash_go_to_the_filter(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await at_once(pilot, "slash", *"now")
        await pilot.pause()
        assert app.screen is board
        assert _value(app, "#filter") == "now"


async def test_keys_typed_after_t_go_to_the_quick_log(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await at_once(pilot, "t", *"45m m standup")
        await wait_until(pilot, lambda: isinstance(app.screen, LineModal))
        assert _value(app, "#line-input") == "45m m standup"


async def test_keys_typed_after_s_go_to_the_timer_line(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await at_once(pilot, "s", *"m 1:1")
        await wait_until(pilot, lambda: isinstance(app.screen, LineModal))
        assert _value(app, "#line-input") == "m 1:1"


async def test_keys_typed_after_tab_in_the_entry_form_land_in_the_next_field(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    timetrack.log_entry(db, clock, 30, "tooling", "grooming")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "3", TimeScreen)
        await at_once(pilot, "e", "tab", "tab", "~")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryForm))
        # opened on Duration: Tab to Category, Tab to Note (its text selected: replaced)
        assert _value(app, "#field-category") == "tooling"
        assert _value(app, "#field-note") == "~"


async def test_no_key_is_lost_after_the_points_error_shows(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        form = app.screen
        points = form.query_one("#field-points", Input)
        form.set_focus(points)
        await pilot.press("~")
        assert form.query_one("#error-points").display
        await at_once(pilot, "ctrl+a", "ctrl+k", "5")
        assert points.value == "5"


async def test_keys_typed_after_n_while_the_board_rereads_go_to_the_form(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        board.expect_data()  # as after a write: keys wait for the board's fresh data
        await at_once(pilot, "n", *"bug")  # b u g are also board keys (epics, undo, first)
        await pilot.pause()
        assert "key" in str(board.query_one("#status-line").render())
        board.loaded()
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        await wait_until(pilot, lambda: _value(app, "#field-title") == "bug")
        assert not board._pending
