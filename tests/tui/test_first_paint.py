"""The first paint reads through the standard library: it shows what the SQLAlchemy
path would show, card for card; SQLAlchemy is never loaded by the TUI on a local
workspace; and a key pressed the moment the cards appear acts on the right card."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import NOW, Seeded, location_for
from tests.tui.conftest import SIZE, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.screens.board import BoardScreen
from tpm_tui.services import backlog, reports, roadmap, timetrack
from tpm_tui.services.board import Level, load_board
from tpm_tui.services.demo import build_demo

COLUMNS = ["backlog", "todo", "in_progress", "review", "done"]


def _cards(db: Database, cards: int) -> None:
    now = datetime.now(UTC)
    with db.orm_write() as session:
        from tpm_tui.models import WorkItem

        session.add_all(
            WorkItem(
                kind=("story", "bug", "debt")[i % 3],
                title=f"Card {i} about a customer-facing change",
                status=COLUMNS[i % 5],
                rank=i,
                points=i % 13,
                owner=("ana", "ben", "")[i % 3],
                created_at=now,
                updated_at=now,
            )
            for i in range(cards)
        )


@pytest.mark.parametrize("workspace", ["demo", "12", "500", "5000"])
def test_every_screen_reads_the_same_through_both_executors(tmp_path: Path, workspace: str) -> None:
    clock = Clock(NOW)
    db = open_database(location_for(tmp_path / "tpm.db"))
    if workspace == "demo":
        build_demo(db, clock)
    else:
        _cards(db, int(workspace))
    alchemy = Database(db.location, db.file, alchemy=True)
    try:
        for level in Level:
            assert load_board(db, clock, level) == load_board(alchemy, clock, level)
        assert roadmap.load_roadmap(db, clock) == roadmap.load_roadmap(alchemy, clock)
        assert reports.week_view(db, clock) == reports.week_view(alchemy, clock)
        today = clock.today()
        assert timetrack.entries_for_day(db, clock, today) == timetrack.entries_for_day(
            alchemy, clock, today
        )
        assert backlog.list_items(db) == backlog.list_items(alchemy)
    finally:
        alchemy.close()
        db.close()


PROBE = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.workspace import Workspace

    path = sys.argv[1]
    clock = Clock(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))

    async def main() -> None:
        app = TpmApp(Workspace(Location(f"sqlite:///{path}", __import__("pathlib").Path(path),
                     "test"), clock), mode=sys.argv[2])
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(400):
                if getattr(app.screen, "ready", False):
                    break
                await pilot.pause(0.02)
            assert app.screen.ready, "no data"
            await pilot.press("j", "k")
            await pilot.pause(0.2)
        heavy = [m for m in ("sqlalchemy", "sqlmodel", "pydantic", "alembic") if m in sys.modules]
        print("HEAVY", heavy)

    asyncio.run(main())
    """
)


@pytest.mark.parametrize("mode", ["board", "roadmap", "time", "week"])
def test_the_tui_never_loads_sqlalchemy_on_a_local_workspace(seeded: Seeded, mode: str) -> None:
    assert seeded.db.file is not None
    seeded.db.close()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(seeded.db.file), mode],
        capture_output=True,
        text=True,
        timeout=120,
        env={"TEXTUAL_ANIMATIONS": "none", "PATH": "/usr/bin:/bin", "TZ": "Europe/Berlin"},
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


async def test_a_key_pressed_as_the_cards_appear_moves_the_right_card(
    tmp_path: Path, clock: Clock
) -> None:
    """`L` pressed at once when the first cards are drawn (before the app has had a
    moment) moves the card under the cursor, and only it."""
    db = open_database(location_for(tmp_path / "tpm.db"))
    _cards(db, 500)
    first = backlog.list_items(db, status="backlog")[0]
    todo = [i.id for i in backlog.list_items(db, status="todo")]
    db.close()
    workspace_app = _app(tmp_path / "tpm.db", clock)
    async with workspace_app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot,
            lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.data is not None,
            tries=2000,
        )
        await pilot.press("L")  # no pause: right as the cards are there
        screen = pilot.app.screen
        assert isinstance(screen, BoardScreen)
        await wait_until(pilot, lambda: screen.waiting_for is None and not screen._pending)
        check = open_database(location_for(tmp_path / "tpm.db"))
        try:
            assert backlog.get_item(check, first.id).status == "todo"
            after = [i.id for i in backlog.list_items(check, status="todo")]
            assert after == [*todo, first.id]  # at the bottom, and nothing else moved
        finally:
            check.close()
        assert screen.focused_id() == first.id


def _app(path: Path, clock: Clock) -> TpmApp:
    from tpm_tui.workspace import Workspace

    return TpmApp(Workspace(location_for(path), clock, name="~/work/tpm.db"))


async def test_a_key_pressed_before_the_cards_appear_waits_and_is_applied(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`L k` pressed while the board is still opening: neither is dropped; both run
    once the cards are on screen, in order, on what the screen then shows."""
    import threading

    from tpm_tui.services import board as board_service

    slow = board_service.load_board
    disk = threading.Event()  # a slow disk, held until the keys are in (not a guess of time)

    def slow_load(*args: object, **kwargs: object) -> object:
        disk.wait(30)
        return slow(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(board_service, "load_board", slow_load)
    db = open_database(location_for(tmp_path / "tpm.db"))
    _cards(db, 500)
    first = backlog.list_items(db, status="backlog")[0]
    todo = [i.id for i in backlog.list_items(db, status="todo")]
    db.close()
    app = _app(tmp_path / "tpm.db", clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, BoardScreen), tries=2000)
        screen = pilot.app.screen
        assert isinstance(screen, BoardScreen)
        assert screen.data is None  # still opening
        await pilot.press("L", "k")
        await pilot.pause(0.2)
        status = str(screen.query_one("#status-line").render())
        assert "opening" in status and "2 keys waiting" in status, status
        disk.set()
        await wait_until(
            pilot, lambda: screen.ready and screen.waiting_for is None and not screen._pending
        )
        check = open_database(location_for(tmp_path / "tpm.db"))
        try:
            after = [i.id for i in backlog.list_items(check, status="todo")]
        finally:
            check.close()
        assert after == [*todo, first.id]
        # the k ran after the move, in To Do, from the moved card at its bottom
        assert screen.current == "todo" and screen.focused_id() == todo[-1]
