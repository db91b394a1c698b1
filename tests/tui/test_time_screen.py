"""The time screen's keys: the cursor keys of every other screen, deleting what the
cursor shows, and saying what was saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from textual.widgets import DataTable, Input

from tests.conftest import NOW
from tests.tui.conftest import SIZE, settle, wait_until
from tests.tui.helpers import open_screen, record_notifications
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.time import TimeScreen
from tpm_tui.services import timetrack


def _five_entries(db: Database, clock: Clock) -> list[str]:
    """Five entries of 20 minutes today from 08:00, noted one to five."""
    notes = ["one", "two", "three", "four", "five"]
    for number, note in enumerate(notes):
        entry = timetrack.log_entry(db, clock, 20, "tooling", note)
        start = clock.at(NOW.date(), time(8)) + timedelta(minutes=20 * number)
        timetrack.edit_entry(db, clock, entry.id, started_at=start, minutes=20)
    return notes


@pytest.fixture
def five(db: Database, clock: Clock) -> list[str]:
    """The notes of five entries logged today."""
    return _five_entries(db, clock)


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app tells the user from now on."""
    return record_notifications(monkeypatch)


def _notes(db: Database, clock: Clock) -> list[str]:
    return [e.note for e in timetrack.entries_for_day(db, clock, NOW.date())]


def _cursor(screen: TimeScreen) -> int:
    return screen.query_one("#entries", DataTable).cursor_row


async def test_j_k_g_and_home_end_move_the_cursor(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    notes = _five_entries(db, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        assert _cursor(screen) == 0
        await pilot.press("j", "j")
        assert _cursor(screen) == 2
        await pilot.press("k")
        assert _cursor(screen) == 1
        await pilot.press("G")
        assert _cursor(screen) == 4
        await pilot.press("g")
        assert _cursor(screen) == 0
        await pilot.press("end")
        assert _cursor(screen) == 4
        await pilot.press("home")
        assert _cursor(screen) == 0
        await pilot.press("down", "down", "up")
        assert _cursor(screen) == 1
        await pilot.press("j", "j", "j", "x")  # j j j j x: the fifth
        await wait_until(pilot, lambda: len(_notes(db, clock)) == 4)
        assert _notes(db, clock) == notes[:4]


async def test_deleting_twice_before_the_reload_deletes_what_the_cursor_showed(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _five_entries(db, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        await pilot.press("j", "x", "x")  # the second x waits for the reload after the first
        await wait_until(pilot, lambda: len(_notes(db, clock)) == 3)
        await settle(app)
        await pilot.pause()
        assert _notes(db, clock) == ["one", "four", "five"]
        assert screen.data is not None and len(screen.data.entries) == 3
        assert app.is_running


async def test_an_entry_deleted_elsewhere_is_a_message_not_a_crash(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], five: list[str], said: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        assert screen.data is not None
        timetrack.delete_entry(db, clock, screen.data.entries[0].id)  # another terminal
        await pilot.press("x")
        await wait_until(pilot, lambda: any("no time entry" in s.lower() for s in said))
        assert app.is_running and len(_notes(db, clock)) == 4


async def test_an_edit_saved_in_the_form_is_confirmed(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], five: list[str], said: list[str]
) -> None:
    from tpm_tui.screens.entry_form import EntryForm

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "3", TimeScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryForm))
        app.screen.query_one("#field-note", Input).value = "one, edited"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert _notes(db, clock)[0] == "one, edited"
        assert any("Saved" in s and "one, edited" in s for s in said), said


@pytest.mark.parametrize("key", ["1", "2", "3", "4"])
async def test_a_running_timer_is_on_screen_with_the_first_data(
    db: Database,
    clock: Clock,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
) -> None:
    from tpm_tui.screens.base import WorkspaceScreen
    from tpm_tui.widgets.timer_badge import TimerBadge

    timetrack.start_timer(db, Clock(NOW - timedelta(minutes=25)), "meetings", "standup")
    badges: list[str] = []
    original = WorkspaceScreen.loaded

    def loaded(self: WorkspaceScreen) -> None:  # the moment the first data is drawn
        if not badges:  # before it: no guess
            assert "no timer" not in str(self.query_one(TimerBadge).render())
        original(self)
        badges.append(str(self.query_one(TimerBadge).render()))

    monkeypatch.setattr(WorkspaceScreen, "loaded", loaded)
    mode = {"1": "board", "2": "roadmap", "3": "time", "4": "week"}[key]
    from tests.tui.conftest import Workspace, location_for

    app = TpmApp(Workspace(location_for(db.location.path), clock, name="w"), mode=mode)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(badges))
    assert "⏱ meetings · standup  0:25:00" in badges[0]
