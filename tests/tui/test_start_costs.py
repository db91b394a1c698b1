"""What a cold start does before the first screen's data is on screen, counted rather
than timed: the app's CSS is parsed once, and a column of cards taller than the screen
is laid out with its scroll bar from the start (each card drawn once, not twice)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual._compositor import Compositor
from textual.css import stylesheet
from textual.widget import Widget

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, location_for, settle, wait_until
from tests.tui.test_board_scale import _seed
from tpm_tui.app import TpmApp, screen_class
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.timekeeper import TimeKeeper
from tpm_tui.widgets.kanban_column import CardList
from tpm_tui.workspace import Workspace

APP_CSS = str(Path(TpmApp.CSS_PATH))


@pytest.fixture
def css_parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The stylesheet sources Textual parses (a name per parse of app.tcss)."""
    parsed: list[str] = []
    parse = stylesheet.parse  # type: ignore[attr-defined]

    def counting(scope: str, css: str, read_from: Any, *args: Any, **kwargs: Any) -> Any:
        if read_from[0] == APP_CSS:
            parsed.append(read_from[0])
        return parse(scope, css, read_from, *args, **kwargs)

    monkeypatch.setattr(stylesheet, "parse", counting)
    yield parsed


@pytest.mark.parametrize("mode", ["board", "roadmap", "week"])
async def test_the_app_css_is_parsed_once_at_start(
    db: Database, db_path: Path, clock: Clock, css_parses: list[str], mode: str
) -> None:
    app = TpmApp(Workspace(location_for(db_path), clock), mode=mode)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "ready", False))
        assert isinstance(app.screen, screen_class(mode))
        assert app.current_mode == mode
    assert len(css_parses) == 1


@pytest.mark.parametrize("mode", ["board", "week"])
async def test_the_first_screen_stays_its_mode(
    db: Database, db_path: Path, clock: Clock, mode: str
) -> None:
    """Switching away and back shows the very screen the app opened on (one screen per
    mode), and its mode's key is a no-op on it."""
    app = TpmApp(Workspace(location_for(db_path), clock), mode=mode)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "ready", False))
        first = app.screen
        key = {"board": "1", "week": "4"}[mode]
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is first
        await pilot.press("3")
        await wait_until(pilot, lambda: getattr(app.screen, "ready", False))
        assert app.current_mode == "time"
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is first
        assert app.current_mode == mode


@pytest.fixture
def lines_drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The lines the board's card lists draw (one entry per line asked of a list; the
    sprint screen's lists, drawn as it is built ahead, are not the board's)."""
    drawn: list[int] = []
    render_line: Callable[[CardList, int], Any] = CardList.render_line

    def counting(self: CardList, y: int) -> Any:
        if type(self.screen) is screen_class("board"):
            drawn.append(y)
        return render_line(self, y)

    monkeypatch.setattr(CardList, "render_line", counting)
    yield drawn


@pytest.fixture
def placements(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[Widget, list[Any]]]:
    """Where each layout of the screen put each card list (its geometry, every time it
    changed)."""
    placed: dict[Widget, list[Any]] = {}
    reflow = Compositor.reflow

    def recording(self: Compositor, parent: Widget, size: Any) -> Any:
        result = reflow(self, parent, size)
        for widget, geometry in self._full_map.items():
            if isinstance(widget, CardList):
                seen = placed.setdefault(widget, [])
                if not seen or seen[-1] != geometry:
                    seen.append(geometry)
        return result

    monkeypatch.setattr(Compositor, "reflow", recording)
    yield placed


async def _long_columns(db: Database, db_path: Path, clock: Clock) -> dict[CardList, int]:
    """The card lists of a board of 500 cards once they are on screen (every column is
    taller than the screen), with their heights then."""
    _seed(db, 500)
    app = TpmApp(Workspace(location_for(db_path), clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await pilot.pause()
        return {column.cards: column.cards.size.height for column in screen.columns.values()}


async def test_a_long_column_is_drawn_once(
    db: Database, db_path: Path, clock: Clock, lines_drawn: list[int]
) -> None:
    """Each line of a column on screen is drawn once before the cards show (measuring
    the list while drawing it asked for a repaint of every line)."""
    lists = await _long_columns(db, db_path, clock)
    assert len(lines_drawn) == sum(lists.values())


async def test_a_long_column_is_laid_out_with_its_scroll_bar_at_once(
    db: Database, db_path: Path, clock: Clock, placements: dict[Widget, list[Any]]
) -> None:
    """A column taller than the screen has its scroll bar in the first layout with the
    cards (a scroll bar added during that layout took a second one, which moved every
    column's content and drew it all again)."""
    lists = await _long_columns(db, db_path, clock)
    assert all(cards.show_vertical_scrollbar for cards in lists)
    assert [len(placements[cards]) for cards in lists] == [1] * len(lists)


async def test_the_first_load_brings_the_running_timer(
    db: Database, db_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The board's first read brings the running timer along: it is on screen with the
    cards, with no timer read on the UI thread and no second worker started for it."""
    from tpm_tui.services.timetrack import start_timer
    from tpm_tui.widgets.timer_badge import TimerBadge

    start_timer(db, clock, "meetings", "standup")
    reads: list[str] = []
    running = TimeKeeper.running

    def counting(self: TimeKeeper) -> Any:
        reads.append(threading.current_thread().name)
        return running(self)

    monkeypatch.setattr(TimeKeeper, "running", counting)
    app = TpmApp(Workspace(location_for(db_path), clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        badge = screen.query_one(TimerBadge)
        assert "meetings" in str(badge.render())
        assert len(reads) == 1
        assert reads[0] != threading.main_thread().name


@pytest.mark.parametrize(
    ("mode", "module", "reader"),
    [
        ("week", "tpm_tui.services.reports", "week_view"),
        ("roadmap", "tpm_tui.services.roadmap", "load_roadmap"),
        ("time", "tpm_tui.services.timetrack", "entries_for_day"),
    ],
)
async def test_a_first_screen_reads_its_data_once(
    db: Database,
    db_path: Path,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    module: str,
    reader: str,
) -> None:
    """The screen the app opens on reads its data once: being shown (the resume that
    comes with mounting it) does not read again while the first read is on its way (it
    read two or three times, and a read still running as the app left crashed it)."""
    import importlib

    target = importlib.import_module(module)
    read = getattr(target, reader)
    reads: list[str] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        reads.append(reader)
        return read(*args, **kwargs)

    monkeypatch.setattr(target, reader, counting)
    app = TpmApp(Workspace(location_for(db_path), clock), mode=mode)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "ready", False))
        await settle(app)
        await pilot.pause(0.1)
        assert reads == [reader]


async def test_a_board_of_long_columns_opens_on_its_first_cards(
    db: Database, db_path: Path, clock: Clock
) -> None:
    """Every column taller than the screen, one-line titles (a wide terminal): each opens
    at its top, the cursor's card in view (the cursor was scrolled into a list not laid
    out yet, whose height of 0 scrolled every column one card down, hiding the first)."""
    _seed(db, 500)
    app = TpmApp(Workspace(location_for(db_path), clock))
    async with app.run_test(size=(300, 40)) as pilot:
        screen = await board_ready(pilot)
        await pilot.pause()
        for column in screen.columns.values():
            assert column.cards.title_lines == 1
            assert column.cards.scroll_offset.y == 0
        first = screen.columns["backlog"].cards.render_line(0).text
        assert first.split()[:3] == ["#1", "Story", "number"]


TREE_AND_FORM = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.widgets.epic_tree import EpicTree

    path = Path(sys.argv[1])

    async def main() -> None:
        app = TpmApp(Workspace(Location(f"sqlite:///{path}", path, "test"), Clock()))
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(500):
                if getattr(app.screen, "ready", False):
                    break
                await pilot.pause(0.02)
            await pilot.press("b")
            tree = app.screen.query_one(EpicTree)
            for _ in range(500):
                if tree.root.children:
                    break
                await pilot.pause(0.02)
            await pilot.press("b", "n")
            for _ in range(500):
                if type(app.screen).__name__ == "ItemForm":
                    break
                await pilot.pause(0.02)
            print("SHOWN", len(tree.root.children), type(app.screen).__name__)
        heavy = [m for m in ("sqlalchemy", "sqlmodel", "pydantic") if m in sys.modules]
        print("HEAVY", heavy)

    from tpm_tui.workspace import Workspace
    asyncio.run(main())
    """
)


def test_the_epic_tree_and_the_item_form_load_no_database_library(seeded: Seeded) -> None:
    """`b` (the epic tree) and `n` (the item form) open without SQLModel: the kinds of
    item come from tpm_tui.kinds, not from the models (about 0.3 s to import)."""
    assert seeded.db.file is not None
    seeded.db.close()
    done = subprocess.run(
        [sys.executable, "-c", TREE_AND_FORM, str(seeded.db.file)],
        capture_output=True,
        text=True,
        timeout=180,
        env={"TEXTUAL_ANIMATIONS": "none", "PATH": "/usr/bin:/bin"},
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr[-3000:]
    shown = done.stdout.split("SHOWN", 1)[1].split()
    assert int(shown[0]) > 0 and shown[1] == "ItemForm"
