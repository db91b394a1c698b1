"""`s` while a timer was probably forgotten (past midnight or over 10 hours): the TUI
asks what `S` asks (keep it, or when it really ended), then starts the new timer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import NOW
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.kinds import Category
from tpm_tui.screens.timekeeping import StartTimerScreen, StopTimerScreen
from tpm_tui.services import timetrack


def _text(app: TpmApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _ask(app: TpmApp, pilot: Pilot[None], line: str) -> None:
    """`s`, the line, enter: the forgotten timer's question comes up."""
    await board_ready(pilot)
    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(app.screen, StartTimerScreen))
    await pilot.press(*line)
    assert "asks when the meetings timer ended" in _text(app, "#line-preview")
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, StopTimerScreen))
    assert _text(app, "#line-title") == (
        "The meetings timer has run 19h since yesterday 15:00. Keep it, or end it at…"
    )


def _forgotten(db: Database) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(hours=19)), "meetings")  # Wed 15:00


@pytest.mark.parametrize(
    ("line", "answer", "preview", "minutes", "category", "note"),
    [  # the time it really ended, or enter: keep it as it is (it ends now, after 19h)
        (
            "t release notes",
            "17:30",
            "end it at Wed 25 Nov 17:30",
            150,
            Category.TOOLING,
            "release notes",
        ),
        ("d", "", "keep it as it is", 19 * 60, Category.DELIVERABLES, ""),
    ],
)
async def test_starting_asks_what_stop_asks_then_starts(
    db: Database,
    clock: Clock,
    make_app: Callable[..., TpmApp],
    line: str,
    answer: str,
    preview: str,
    minutes: int,
    category: Category,
    note: str,
) -> None:
    _forgotten(db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _ask(app, pilot, line)
        await pilot.press(*answer)
        assert preview in _text(app, "#line-preview")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, StopTimerScreen | StartTimerScreen)
        )
    old = timetrack.entries_for_day(db, clock, date(2026, 11, 25))
    assert [(e.category, e.minutes, e.running) for e in old] == [
        (Category.MEETINGS, minutes, False)
    ]
    running = timetrack.running_timer(db, clock)
    assert running is not None
    assert (running.category, running.note, running.started_at) == (category, note, NOW)


async def test_escape_on_the_question_goes_back_to_the_line_and_writes_nothing(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _forgotten(db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _ask(app, pilot, "t release notes")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StartTimerScreen))
        assert app.screen.query_one("#line-input", Input).value == "t release notes"
    running = timetrack.running_timer(db, clock)
    assert running is not None and running.category is Category.MEETINGS
