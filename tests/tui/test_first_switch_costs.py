"""What the first switch to a screen costs: its widgets are styled once, as they mount
(not again for each of the two "resume" events Textual posts to a new mode's screen),
and again when shown only if what styles it changed while it was away (a theme);
the sprint screen builds its burndown, stand-up and note views when first shown, and
the goals list is not measured and drawn again when told the width it was drawn at."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from textual import events
from textual.color import Color
from textual.content import Content
from textual.dom import DOMNode
from textual.widgets import ContentSwitcher, Header, OptionList, Static, TextArea

from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tests.tui.helpers import open_screen
from tests.tui.test_goals_costs import _seed as seed_goals
from tests.tui.test_sprint_screen import seed_sprints, settled, sprint_ready
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.base import WorkspaceScreen
from tpm_tui.screens.board import BoardScreen
from tpm_tui.screens.goals import GoalsScreen
from tpm_tui.screens.roadmap import RoadmapScreen
from tpm_tui.screens.sprint import SprintScreen
from tpm_tui.screens.time import TimeScreen
from tpm_tui.screens.week import WeekScreen
from tpm_tui.widgets.burndown import BurndownChart

READERS = [
    ("2", RoadmapScreen, "tpm_tui.services.roadmap", "load_roadmap"),
    ("3", TimeScreen, "tpm_tui.services.timetrack", "entries_for_day"),
    ("4", WeekScreen, "tpm_tui.services.reports", "week_view"),
    ("5", SprintScreen, "tpm_tui.services.sprints", "load_planning"),
    ("6", GoalsScreen, "tpm_tui.services.goals", "load_goals"),
]


@pytest.mark.parametrize(("key", "kind", "module", "reader"), READERS)
async def test_a_screen_shown_first_reads_its_data_once(
    db: Database,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    kind: type[WorkspaceScreen],
    module: str,
    reader: str,
) -> None:
    seed_sprints(db)
    reads: list[int] = []
    real = getattr(importlib.import_module(module), reader)

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(importlib.import_module(module), reader, counted)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, kind) and app.screen.ready)
        await settle(app)
        await pilot.pause()
        assert len(reads) == 1  # not again for the "resume" events of its first showing
        await pilot.press("1")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.ready)
        await pilot.press(key)  # shown again: read again (the sprint and goals: if changed)
        await wait_until(pilot, lambda: isinstance(app.screen, kind) and app.screen.ready)
        await settle(app)
        assert len(reads) == (1 if kind in (SprintScreen, GoalsScreen) else 2)


@pytest.mark.parametrize(
    ("key", "kind"), [("4", WeekScreen), ("5", SprintScreen), ("6", GoalsScreen)]
)
async def test_a_screen_is_styled_once_and_again_only_when_what_styles_it_changed(
    db: Database,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    kind: type[WorkspaceScreen],
) -> None:
    seed_sprints(db)
    restyled: list[str] = []  # whole-screen restyles, by screen class
    real = DOMNode.update_node_styles

    def counted(self: DOMNode, animate: bool = True) -> None:
        if isinstance(self, WorkspaceScreen):
            restyled.append(type(self).__name__)
        real(self, animate)

    async def show(wanted: type[WorkspaceScreen], press: str) -> WorkspaceScreen:
        await pilot.press(press)
        await wait_until(pilot, lambda: isinstance(app.screen, wanted) and app.screen.ready)
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        return app.screen

    monkeypatch.setattr(DOMNode, "update_node_styles", counted)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        restyled.clear()
        await show(kind, key)
        assert restyled == []  # styled as it mounted
        mode = app.current_mode
        await show(BoardScreen, "1")
        await show(kind, key)
        assert restyled == []  # back, with nothing changed while it was away: as it was
        board_header = app.get_screen_stack("board")[0].query_one(Header)
        old_panel = board_header.styles.background
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        restyled.clear()
        board = await show(BoardScreen, "1")
        panel = Color.parse(app.get_css_variables()["panel"])
        assert panel != old_panel and board.query_one(Header).styles.background == panel
        app.app_focus = False  # the terminal lost the focus while the board was in front
        await pilot.pause()
        restyled.clear()
        await app.switch_mode(mode)  # (not by a key: a key gives the app the focus back)
        await wait_until(pilot, lambda: isinstance(app.screen, kind) and app.screen.ready)
        await pilot.pause()  # restyled for it: Textual restyled only the board
        assert restyled == [kind.__name__]


async def test_the_sprint_screen_builds_a_view_when_it_is_first_shown(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        # planning only: no burndown, stand-up or note editor (tree-sitter Markdown) yet
        assert not screen.query(BurndownChart) and not screen.query(TextArea)
        assert not screen.query("#standup")
        await pilot.press("b")
        await settled(pilot, screen)
        chart = screen.query_one(BurndownChart)
        assert chart.days and screen.query_one("#charts").display
        assert not screen.query_one("#plan").display
        assert "Burndown · Sprint 25" in str(screen.query_one("#burndown-title", Static).render())
        await pilot.press("d")
        text = screen.query_one("#standup-text", Static)
        await wait_until(pilot, lambda: bool(str(text.render()).strip()))
        assert not screen.query_one("#charts").display and screen.query_one("#standup").display
        await pilot.press("r")
        await settled(pilot, screen)
        editor = screen.query_one("#retro-note", TextArea)
        assert editor.text.startswith("# Retro: Sprint 25") and editor.has_focus
        assert [w.id for w in screen.query_one(ContentSwitcher).children if w.display] == ["retro"]
        await pilot.press("escape", "b")  # back to a view built before: shown again
        await settled(pilot, screen)
        assert screen.query_one("#charts").display and len(screen.query(BurndownChart)) == 1


async def test_the_goals_list_drawn_at_its_width_is_not_measured_and_drawn_again(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_goals(db, clock)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        options = screen.query_one(OptionList)
        await pilot.pause()
        drawn: list[int] = []
        real = Content.render_strips

        def counted(self: Content, *args: Any, **kwargs: Any) -> Any:
            drawn.append(1)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Content, "render_strips", counted)
        # What the layout tells a list after its first paint: the size it was drawn at.
        options.post_message(
            events.Resize(options.size, options.virtual_size, options.container_size)
        )
        await pilot.pause()
        assert drawn == []
        await pilot.resize_terminal(SIZE[0] - 20, SIZE[1])  # narrower: drawn again
        await pilot.pause()
        assert drawn
