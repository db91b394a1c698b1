"""Reading ahead: once the board's data is shown, the sprint and goals screens' first
data is read in a worker, between keys, and pressing 5 or 6 then shows it without
reading; what was committed since (here or in another program), or a new day, is read
at the switch instead; a screen opened while its read ahead is on its way takes that
read (one read, not two), and one opened before it began is read from the key on; keys
typed in a quick run keep the read waiting, and keys typed slowly keep only the
building waiting; nothing is read ahead on a team server; the goals screen opened from
its read ahead draws each row once (building it ahead and showing it, together)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.conftest import NOW, location_for
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tests.tui.test_goals_costs import _seed as seed_goals
from tests.tui.test_sprint_screen import seed_sprints, settled
from tests.unit.test_sprints import at
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.screens import ahead
from tpm_tui.screens.board import BoardScreen
from tpm_tui.screens.goals import GoalsScreen
from tpm_tui.screens.sprint import SprintScreen
from tpm_tui.services import backlog
from tpm_tui.services import goals as goal_service
from tpm_tui.services import sprints as sprint_service
from tpm_tui.workspace import Workspace


class MovingClock(Clock):
    """A frozen clock that a test can move."""

    def __init__(self) -> None:
        super().__init__(NOW)
        self.moment = NOW

    def now(self) -> datetime:
        """The moment set last, in local time."""
        return self.local(self.moment)


def _count(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Count the calls of `module.name` from any thread (still calling it)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


async def _read_ahead(pilot: Pilot[Any]) -> None:
    """Wait for the board, then for the reads ahead (a worker of the app)."""
    await board_ready(pilot)
    await settle(pilot.app)


async def _board_shown(pilot: Pilot[Any]) -> None:
    """Wait for the board's data only (board_ready waits for every worker, the reads
    ahead too)."""
    await wait_until(
        pilot,
        lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.data is not None,
    )


async def _open(pilot: Pilot[Any], key: str, kind: type[Any]) -> Any:
    await pilot.press(key)
    await wait_until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, kind)
            and pilot.app.screen.ready
            and not pilot.app.screen.stale
        ),  # (a screen shown again may read again)
    )
    await settle(pilot.app)
    return pilot.app.screen


async def test_an_idle_board_reads_both_screens_ahead_and_they_open_without_reading(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed_sprints(db)
    seed_goals(db, clock, 3)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    goal_reads = _count(monkeypatch, goal_service, "load_goals")
    async with make_app().run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)
        assert (len(sprint_reads), len(goal_reads)) == (1, 1)
        screen = await _open(pilot, "5", SprintScreen)
        assert len(sprint_reads) == 1  # shown as read ahead
        assert screen.planning is not None and screen.planning.report.sprint.id == ids["sprint"]
        assert [i.id for i in screen.planning.candidates] == [ids["retry"], ids["dark"]]
        goals_screen = await _open(pilot, "6", GoalsScreen)
        assert len(goal_reads) == 1
        assert goals_screen.goals is not None and len(goals_screen.goals.goals) == 3
        # later switches read only if something changed (nothing did)
        await pilot.press("5")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SprintScreen))
        await settled(pilot, screen)
        assert len(sprint_reads) == 1
        await _open(pilot, "6", GoalsScreen)
        assert len(goal_reads) == 1


async def test_a_change_after_the_read_ahead_is_read_at_the_switch(
    db: Database,
    db_path: Path,
    clock: Clock,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_sprints(db)
    seed_goals(db, clock, 2)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    async with make_app().run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)
        other = open_database(location_for(db_path))  # another program
        made = backlog.create_item(other, at(26, 9), "bug", "Made elsewhere", points=1).id
        goal_service.create_goal(other, clock, "A goal made elsewhere")
        other.close()
        screen = await _open(pilot, "5", SprintScreen)
        assert len(sprint_reads) == 2
        assert screen.planning is not None
        assert made in [i.id for i in screen.planning.candidates]
        goals_screen = await _open(pilot, "6", GoalsScreen)
        assert goals_screen.goals is not None
        assert "A goal made elsewhere" in [g.title for g in goals_screen.goals.goals]


async def test_a_write_of_the_app_itself_after_the_read_ahead_is_read_at_the_switch(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    seed_sprints(db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)
        board = pilot.app.screen
        await pilot.press("n")  # a new item, typed on the board
        await pilot.pause()
        await pilot.press(*"Typed on the board", "enter")
        await wait_until(
            pilot,
            lambda: any(i.title == "Typed on the board" for i in backlog.list_items(db)),
        )
        await wait_until(pilot, lambda: pilot.app.screen is board)
        screen = await _open(pilot, "5", SprintScreen)
        assert screen.planning is not None
        assert "Typed on the board" in [i.title for i in screen.planning.candidates]


async def test_a_new_day_after_the_read_ahead_is_read_at_the_switch(
    db: Database, workspace_location: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    moving = MovingClock()
    goal_reads = _count(monkeypatch, goal_service, "load_goals")
    app = TpmApp(Workspace(workspace_location, moving, name="~/work/tpm.db"))
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)
        moving.moment = NOW + timedelta(days=1)
        await _open(pilot, "6", GoalsScreen)
        assert len(goal_reads) == 2


async def test_a_screen_opened_while_its_read_ahead_is_on_its_way_takes_it(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    reading, release = threading.Event(), threading.Event()
    real = ahead.READERS["sprint"]

    def held(*args: Any) -> tuple[object, object]:
        reading.set()
        release.wait(10)
        return real(*args)

    monkeypatch.setitem(ahead.READERS, "sprint", held)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    async with make_app().run_test(size=SIZE) as pilot:
        await _board_shown(pilot)
        await wait_until(pilot, reading.is_set)
        await pilot.press("5")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SprintScreen))
        screen = pilot.app.screen
        assert isinstance(screen, SprintScreen) and not screen.ready
        release.set()
        await wait_until(pilot, lambda: screen.ready)
        await settle(pilot.app)
        assert len(sprint_reads) == 1 and screen.planning is not None


async def test_the_data_is_read_ahead_between_keys_while_the_building_waits(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading is done between keys, from the board's first data on; building a screen
    # (the UI thread's work, which a key would wait for) waits for a quiet moment.
    seed_sprints(db)
    monkeypatch.setattr(ahead, "QUIET", 3.0)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    async with make_app().run_test(size=SIZE) as pilot:
        await _board_shown(pilot)
        app = pilot.app
        assert isinstance(app, TpmApp)
        for _ in range(4):  # keys well within the quiet time
            await pilot.press("j")
            await pilot.pause(0.2)
        assert len(sprint_reads) == 1 and app.read_ahead._state["sprint"] == "done"
        assert app.read_ahead.built == {}  # nothing built
        await pilot.press("5")  # the read ahead is taken: not read again
        await wait_until(
            pilot, lambda: isinstance(pilot.app.screen, SprintScreen) and pilot.app.screen.ready
        )
        assert len(sprint_reads) == 1


async def test_a_key_held_keeps_the_reading_ahead_waiting(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    monkeypatch.setattr(ahead, "BETWEEN", 0.3)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    async with make_app().run_test(size=SIZE) as pilot:
        await _board_shown(pilot)
        for _ in range(6):  # a key every 0.1 s: never 0.3 s between them
            await pilot.press("j")
            await pilot.pause(0.1)
        assert sprint_reads == []
        await wait_until(pilot, lambda: len(sprint_reads) == 1)  # read once they stop


async def test_a_screen_shown_before_its_read_ahead_began_is_read_from_the_key(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its read starts as the key is handled, beside the screen's building, not once the
    # screen is mounted; the screen takes that read (one read, not two).
    seed_sprints(db)
    monkeypatch.setattr(ahead, "BETWEEN", 3.0)  # nothing read ahead while the board sits
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    states: list[str | None] = []
    real_reload = SprintScreen.reload

    def noted(screen: SprintScreen, first: bool) -> None:
        if first:
            states.append(screen.tpm.read_ahead._state.get("sprint"))
        real_reload(screen, first)

    monkeypatch.setattr(SprintScreen, "reload", noted)
    async with make_app().run_test(size=SIZE) as pilot:
        await _board_shown(pilot)
        assert sprint_reads == []
        screen = await _open(pilot, "5", SprintScreen)
        assert states and states[0] in ("reading", "done")  # begun before the mount
        assert len(sprint_reads) == 1
        assert screen.planning is not None and screen.planning.report.sprint.name


async def test_a_read_ahead_that_fails_unexpectedly_leaves_the_screen_to_read_for_itself(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a fault of the reader, not a database error: before, it ended the app while the
    # board was in use)
    seed_goals(db, Clock(NOW))

    def faulty(*_: Any) -> tuple[object, object]:
        raise RuntimeError("a fault of the reader")

    monkeypatch.setitem(ahead.READERS, "goals", faulty)
    goal_reads = _count(monkeypatch, goal_service, "load_goals")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)
        assert app.is_running and app.failure is None and isinstance(app.screen, BoardScreen)
        screen = await _open(pilot, "6", GoalsScreen)  # (built ahead: it read for itself)
        assert len(goal_reads) == 1 and screen.query_one(OptionList).option_count


@pytest.mark.parametrize("engine", ["postgresql"])
async def test_nothing_is_read_ahead_on_a_team_server(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    async with make_app().run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)
        assert sprint_reads == []
        await _open(pilot, "5", SprintScreen)
        assert len(sprint_reads) == 1


async def test_the_goals_screen_opened_from_its_read_ahead_draws_each_row_once(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_goals(db, clock)  # more rows than the screen holds: the list scrolls
    drawn: list[str] = []
    real = Content.render_strips

    def counted(self: Content, *args: Any, **kwargs: Any) -> Any:
        if self.plain.startswith("    "):  # a row of the goals list (they are indented)
            drawn.append(self.plain)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Content, "render_strips", counted)
    async with make_app().run_test(size=SIZE) as pilot:
        await _read_ahead(pilot)  # (the screen is built and drawn ahead, hidden)
        screen = await _open(pilot, "6", GoalsScreen)
        await pilot.pause()
        assert drawn and len(drawn) == len(set(drawn))  # none drawn twice
        options = screen.query_one(OptionList)
        assert options.max_scroll_y > 0 and options.show_vertical_scrollbar
