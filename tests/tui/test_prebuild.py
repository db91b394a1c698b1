"""Building ahead: once the board has sat idle, the sprint and goals screens are created,
mounted, styled, laid out and painted without being shown, so that 5 and 6 only show
them; what was committed since is read at the switch; a key typed while one is built
acts in order; nothing is built while a form is open, nor on a team server; the hidden
screens read nothing while hidden; and what Textual does privately for it is still
there."""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen

from tests.conftest import location_for
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tests.tui.test_goals_costs import _seed as seed_goals
from tests.tui.test_read_ahead import _count, _open
from tests.tui.test_read_ahead import _read_ahead as _built
from tests.tui.test_sprint_screen import seed_sprints, settled
from tests.unit.test_sprints import at
from tpm_tui import app as tpm_app
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.errors import StorageError
from tpm_tui.screens import ahead, hidden
from tpm_tui.screens.board import BoardScreen
from tpm_tui.screens.goals import GoalsScreen
from tpm_tui.screens.help import HelpScreen
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.screens.sprint import SprintScreen
from tpm_tui.services import backlog
from tpm_tui.services import goals as goal_service
from tpm_tui.services import sprints as sprint_service


def _composed(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Count how often the sprint and goals screens are composed."""
    return {
        "sprint": _count(monkeypatch, SprintScreen, "compose"),
        "goals": _count(monkeypatch, GoalsScreen, "compose"),
    }


async def test_an_idle_board_builds_the_sprint_and_goals_screens_and_5_6_only_show_them(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed_sprints(db)
    seed_goals(db, clock, 3)
    composed = _composed(monkeypatch)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    goal_reads = _count(monkeypatch, goal_service, "load_goals")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _built(pilot)
        assert set(app.read_ahead.built) == {"sprint", "goals"}
        assert (len(composed["sprint"]), len(composed["goals"])) == (1, 1)
        assert isinstance(app.screen, BoardScreen)  # nothing shown but the board
        await pilot.press("question_mark")  # the help is the board's
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        described = [d for _, d in app.screen.rows]  # type: ignore[attr-defined]
        assert app.screen.about == BoardScreen.__doc__  # type: ignore[attr-defined]
        assert "Into sprint" not in described and "Log time" in described
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        screen = await _open(pilot, "5", SprintScreen)
        assert len(composed["sprint"]) == 1  # the one built ahead, shown
        assert len(sprint_reads) == 1  # its data as read ahead
        assert screen.planning is not None and screen.planning.report.sprint.id == ids["sprint"]
        goals_screen = await _open(pilot, "6", GoalsScreen)
        assert len(composed["goals"]) == 1 and len(goal_reads) == 1
        assert goals_screen.goals is not None and len(goals_screen.goals.goals) == 3


async def test_a_screen_built_ahead_shows_what_was_committed_since(
    db: Database, db_path: Any, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: Any
) -> None:
    seed_sprints(db)
    seed_goals(db, clock, 2)
    composed = _composed(monkeypatch)
    sprint_reads = _count(monkeypatch, sprint_service, "load_planning")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _built(pilot)
        assert set(app.read_ahead.built) == {"sprint", "goals"}
        other = open_database(location_for(db_path))  # another program, as the CLI
        made = backlog.create_item(other, at(26, 9), "bug", "Made elsewhere", points=1).id
        goal_service.create_goal(other, clock, "A goal made elsewhere")
        other.close()
        await pilot.pause(1.3)  # the hidden sprint screen does not read (nor poll)
        assert len(sprint_reads) == 1
        screen = await _open(pilot, "5", SprintScreen)
        assert len(composed["sprint"]) == 1 and len(sprint_reads) == 2
        assert screen.planning is not None
        assert made in [i.id for i in screen.planning.candidates]
        goals_screen = await _open(pilot, "6", GoalsScreen)
        assert len(composed["goals"]) == 1
        assert goals_screen.goals is not None
        assert "A goal made elsewhere" in [g.title for g in goals_screen.goals.goals]


async def test_the_goals_screen_reads_again_only_what_changed_while_away(
    db: Database, db_path: Any, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: Any
) -> None:
    seed_goals(db, clock, 2)
    goal_reads = _count(monkeypatch, goal_service, "load_goals")
    async with make_app().run_test(size=SIZE) as pilot:
        await _built(pilot)
        await _open(pilot, "6", GoalsScreen)
        await _open(pilot, "1", BoardScreen)
        await _open(pilot, "6", GoalsScreen)
        assert len(goal_reads) == 1  # nothing committed: what is shown is still true
        await _open(pilot, "1", BoardScreen)
        other = open_database(location_for(db_path))
        goal_service.create_goal(other, clock, "Made while away")
        other.close()
        screen = await _open(pilot, "6", GoalsScreen)
        assert len(goal_reads) == 2
        assert "Made while away" in [g.title for g in screen.goals.goals]


async def test_a_key_typed_while_the_screen_is_built_acts_in_order(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    composed = _composed(monkeypatch)

    # Nothing read ahead for the sprint: the screen built ahead reads for itself, and
    # that read is held until the keys are typed.
    def fails(*_: Any) -> tuple[object, object]:
        raise StorageError("held")

    monkeypatch.setitem(ahead.READERS, "sprint", fails)
    reading, release = threading.Event(), threading.Event()
    real = sprint_service.load_planning

    def held(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(sprint_service, "load_planning", held)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.data is not None
        )
        await wait_until(pilot, reading.is_set, tries=400)
        assert len(composed["sprint"]) == 1  # built ahead, its read on its way
        await pilot.press("5", "l", "j")  # the sprint side, then down a row
        await wait_until(pilot, lambda: isinstance(app.screen, SprintScreen))
        screen = app.screen
        assert isinstance(screen, SprintScreen) and not screen.ready
        release.set()
        await settled(pilot, screen)
        assert screen.side == 1
        assert screen.query_one("#sprint-items").highlighted == 1  # type: ignore[attr-defined]
        assert len(composed["sprint"]) == 1


async def test_nothing_is_built_while_a_form_is_open(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    monkeypatch.setattr(ahead, "QUIET", 0.2)
    composed = _composed(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.data is not None
        )
        await pilot.press("n")  # the New item form, left open
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        await pilot.pause(1.5)
        assert composed["sprint"] == [] and app.read_ahead.built == {}
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app)
        assert set(app.read_ahead.built) == {"sprint", "goals"}


@pytest.mark.parametrize("engine", ["postgresql"])
async def test_nothing_is_built_ahead_on_a_team_server(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    composed = _composed(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _built(pilot)
        assert composed["sprint"] == [] and app.read_ahead.built == {}
        await _open(pilot, "5", SprintScreen)
        assert len(composed["sprint"]) == 1


async def test_textual_still_has_what_building_ahead_uses(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    """Textual's private parts hidden.py uses (a new Textual may drop or change them:
    then this fails, and the app builds every screen on its first switch, as before)."""
    assert list(inspect.signature(App._init_mode).parameters) == ["self", "mode"]
    layout = inspect.signature(Screen._refresh_layout).parameters
    assert list(layout)[:2] == ["self", "size"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert isinstance(app._screen_stacks, dict)
        screen = hidden.mount_hidden(app, "week") or hidden.mount_hidden(app, "time")
        assert screen is not None and hidden.mount_hidden(app, "board") is None
        await wait_until(pilot, lambda: screen.is_mounted)
        assert screen.is_attached and not screen.is_current and app.screen is not screen
        for step in hidden.STEPS:
            assert hidden.prepare_hidden(screen, step)
        assert callable(screen._compositor.render_update)
        assert isinstance(app.screen, BoardScreen)


async def test_a_screen_built_ahead_whose_read_fails_is_built_again_when_opened(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its first read failing while hidden does not end the app (the board is in use):
    the screen is dropped, and 5 builds it anew, as a first opening."""
    seed_sprints(db)
    composed = _composed(monkeypatch)

    def fails(*_: Any) -> tuple[object, object]:
        raise StorageError("held")

    monkeypatch.setitem(ahead.READERS, "sprint", fails)
    real = sprint_service.load_planning
    calls: list[int] = []

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise StorageError("tpm.db: disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(sprint_service, "load_planning", fails_once)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _built(pilot)
        assert calls == [1] and len(composed["sprint"]) == 1
        assert app.is_running and app.failure is None and isinstance(app.screen, BoardScreen)
        assert "sprint" not in app.read_ahead.built
        screen = await _open(pilot, "5", SprintScreen)
        assert len(composed["sprint"]) == 2 and screen.planning is not None


async def test_nothing_is_built_until_a_long_key_has_settled_for_a_quiet_moment(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first opening that takes longer than the quiet time is not followed at once by
    a step of building ahead (it would hold up the opened screen's drawing)."""
    seed_sprints(db)
    monkeypatch.setattr(ahead, "QUIET", 0.3)
    real_read = sprint_service.load_planning

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.6)  # the sprint screen's own first read, longer than QUIET
        return real_read(*args, **kwargs)

    monkeypatch.setattr(sprint_service, "load_planning", slow)
    mounted: list[float] = []
    real_mount = hidden.mount_hidden

    def noted(app: Any, mode: str) -> Any:
        mounted.append(time.monotonic())
        return real_mount(app, mode)

    monkeypatch.setattr(tpm_app, "mount_hidden", noted)
    # When the sprint screen's data is on screen, as the app saw it (a test's polling
    # sees it later on a loaded machine, which made the gap look short).
    shown: list[float] = []
    real_loaded = SprintScreen.loaded

    def loaded(self: SprintScreen) -> None:
        shown.append(time.monotonic())
        real_loaded(self)

    monkeypatch.setattr(SprintScreen, "loaded", loaded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.data is not None
        )
        await pilot.press("5")  # before anything is read ahead
        await wait_until(
            pilot, lambda: isinstance(app.screen, SprintScreen) and app.screen.ready, tries=400
        )
        await settle(app)
        assert shown and mounted and mounted[0] - shown[0] >= 0.25
