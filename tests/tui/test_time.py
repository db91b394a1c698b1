"""Time from the TUI: quick log, timer, the time screen and the week screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from tests.conftest import NOW, Seeded
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.kinds import Category
from tpm_tui.screens.timekeeping import QuickLogScreen, StopTimerScreen
from tpm_tui.services import timetrack
from tpm_tui.widgets.timer_badge import TimerBadge

# Each test runs on SQLite and on a real PostgreSQL server (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def _preview(app: TpmApp) -> str:
    return str(app.screen.query_one("#line-preview").render())


async def test_quick_log_saves_exactly_what_it_previewed(
    seeded: Seeded, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, QuickLogScreen))
        await pilot.press(*f"45m m sprint planning #{seeded.story} @yesterday")
        assert _preview(app) == (
            f"→ 45m · meetings · sprint planning · #{seeded.story} Export invoices · Wed 25 Nov"
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, QuickLogScreen))
    entries = timetrack.entries_for_day(seeded.db, clock, date(2026, 11, 25))
    assert [(e.minutes, e.category, e.note, e.item_id) for e in entries] == [
        (45, Category.MEETINGS, "sprint planning", seeded.story)
    ]


async def test_quick_log_refuses_bad_input_and_keeps_the_text(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, QuickLogScreen))
        await pilot.press(*"45x m standup")
        assert "'45x' is not a duration" in _preview(app)
        await pilot.press("enter")
        assert isinstance(app.screen, QuickLogScreen)
        assert app.screen.query_one("#line-input", Input).value == "45x m standup"
        app.screen.query_one("#line-input", Input).value = "30m m standup #999"
        await pilot.pause()
        assert "no item #999" in _preview(app)
        await pilot.press("enter")
        assert isinstance(app.screen, QuickLogScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, QuickLogScreen)
    assert timetrack.status(db, clock).today_total == 0


async def test_quick_log_recalls_earlier_entries(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    timetrack.log_entry(db, clock, 30, "tooling", "backlog grooming")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, QuickLogScreen))
        await pilot.press("up")
        assert app.screen.query_one("#line-input", Input).value == "30m tooling backlog grooming"
        await pilot.press("down")
        assert app.screen.query_one("#line-input", Input).value == ""


def _badge(app: TpmApp) -> str:
    return str(app.screen.query_one(TimerBadge).render())


async def test_the_timer_survives_a_restart_and_shows_one_started_elsewhere(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], workspace_location: Any
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("s", *"m standup", "enter")
        await wait_until(pilot, lambda: "meetings · standup" in _badge(app))
    assert timetrack.running_timer(db, clock) is not None
    later = Clock(NOW + timedelta(minutes=25, seconds=3))
    from tests.tui.conftest import Workspace

    again = TpmApp(Workspace(workspace_location, later, name="~/work/tpm.db"))
    async with again.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await wait_until(pilot, lambda: "0:25:03" in _badge(again))
        assert "⏱ meetings · standup" in _badge(again)
        timetrack.start_timer(db, later, "deliverables", "PRD")  # as `tpm start` would
        await wait_until(pilot, lambda: "deliverables · PRD" in _badge(again), tries=200)
        await pilot.press("S")
        await wait_until(pilot, lambda: "no timer" in _badge(again))
    assert timetrack.running_timer(db, later) is None


async def test_stopping_a_forgotten_timer_asks_when_it_ended(
    db: Database, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    timetrack.start_timer(db, Clock(NOW - timedelta(days=1)), "tooling")  # Wed 10:00
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, StopTimerScreen))
        await pilot.press(*"17:30")
        assert "end it at Wed 25 Nov 17:30" in _preview(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, StopTimerScreen))
    entry = timetrack.entries_for_day(db, clock, date(2026, 11, 25))[0]
    assert (entry.minutes, entry.ended_at is not None) == (7 * 60 + 30, True)


async def test_time_screen_edit_and_delete_with_undo(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    from tpm_tui.screens.entry_form import EntryForm
    from tpm_tui.screens.time import TimeScreen

    first = timetrack.log_entry(db, clock, 60, "meetings", "planning")  # 09:00-10:00
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("3")
        await wait_until(
            pilot, lambda: isinstance(app.screen, TimeScreen) and app.screen.data is not None
        )
        screen = app.screen
        assert screen.query_one("#entries", DataTable).row_count == 1
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryForm))
        app.screen.query_one("#field-minutes", Input).value = "2h"  # would end in the future
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EntryForm)
        assert "future" in str(app.screen.query_one("#error-minutes").render())
        app.screen.query_one("#field-minutes", Input).value = "45m"
        app.screen.query_one("#field-category", Input).value = "t"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TimeScreen))
        edited = timetrack.entries_for_day(db, clock, NOW.date())[0]
        assert (edited.minutes, edited.category) == (45, Category.TOOLING)
        await pilot.press("u")
        await settle(app)
        restored = timetrack.entries_for_day(db, clock, NOW.date())[0]
        assert (restored.minutes, restored.category) == (60, Category.MEETINGS)
        await pilot.press("x")
        await settle(app)
        assert timetrack.entries_for_day(db, clock, NOW.date()) == []
        await pilot.press("u")
        await settle(app)
        assert timetrack.entries_for_day(db, clock, NOW.date()) == [first]
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: screen.day == date(2026, 11, 25))  # type: ignore[attr-defined]
        assert "No time logged on this day" in str(screen.query_one("#day-totals").render())


async def test_week_navigation_shows_the_known_totals(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    from tpm_tui.screens.week import WeekScreen

    for day, category, hours in [
        (date(2026, 11, 23), "meetings", 5),
        (date(2026, 11, 23), "tooling", 3),
        (date(2026, 11, 24), "meetings", 6),
        (date(2026, 11, 24), "tooling", 4),
        (date(2026, 11, 24), "deliverables", 2),
        (date(2026, 11, 17), "deliverables", 4),  # the week before
    ]:
        timetrack.log_entry(db, clock, hours * 60, category, day=day)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("4")
        await wait_until(
            pilot, lambda: isinstance(app.screen, WeekScreen) and app.screen.view is not None
        )
        screen = app.screen
        assert isinstance(screen, WeekScreen)
        headline = str(screen.query_one("#week-headline").render())
        assert (
            "20h logged" in headline and "meetings 55 %" in headline and "tooling 35 %" in headline
        )
        chart = str(screen.query_one("#week-chart").render())
        assert "above 40–50 %" in chart and "within 35–40 %" in chart and "within 10–25 %" in chart
        assert "deliverables 10 % vs 100 %" in str(screen.query_one("#week-trend").render())
        assert "50 %  20h of 40h" in str(screen.query_one("#week-target").render())
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: screen.monday == date(2026, 11, 16))
        assert "4h logged" in str(screen.query_one("#week-headline").render())
        await pilot.press("full_stop")
        await wait_until(pilot, lambda: screen.monday == date(2026, 11, 23))


async def test_week_exports_the_same_markdown_as_the_cli(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], tmp_path: Any, monkeypatch: Any
) -> None:
    from tpm_tui.screens.week import WeekScreen
    from tpm_tui.services.reports import render_week

    monkeypatch.setenv("TPM_REPORTS", str(tmp_path / "reports"))
    timetrack.log_entry(db, clock, 90, "deliverables", "PRD", day=date(2026, 11, 24))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("4")
        await wait_until(
            pilot, lambda: isinstance(app.screen, WeekScreen) and app.screen.view is not None
        )
        await pilot.press("E", "C")
    # data/tpm.db: data and a hash of the path; a server's: the database's name and a hash
    tag = app.workspace.file_tag
    server = db.location.path is None
    database = db.location.url.split("?")[0].rsplit("/", 1)[-1]
    assert tag.startswith(f"{database}-" if server else "data-"), tag
    md = (tmp_path / "reports" / f"week-2026-W48-{tag}.md").read_text()
    assert md == render_week(db, clock, None, "md") and "**1h30m logged:**" in md
    assert (tmp_path / "reports" / f"week-2026-W48-{tag}.csv").read_text() == render_week(
        db, clock, None, "csv"
    )
