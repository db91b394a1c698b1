"""What the sprint screen's keys cost, part two: `<` reads the item it sent back, not the
whole backlog; a read shown on the planning view lays nothing out (its lines are one
row each; the hidden burndown is drawn when it is shown); and what start-up made is
left out of the garbage collector's full passes while the app runs."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Static, TextArea

from tests.conftest import location_for
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.test_sprint_screen import seed_sprints, settled, sprint_ready
from tests.unit.test_sprints import at
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.screens.sprint import SprintScreen
from tpm_tui.services import backlog
from tpm_tui.services import sprints as sprint_service
from tpm_tui.services.sprints import load_planning
from tpm_tui.widgets.kanban_column import CardList
from tpm_tui.workspace import Workspace


def _spy_on_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, tuple[int, ...]]]:
    """Per read of the sprint screen: whether it read the whole backlog, and the items
    it read alone."""
    reads: list[tuple[bool, tuple[int, ...]]] = []
    real = sprint_service.load_planning

    def counted(*args: Any) -> Any:
        whole = len(args) < 4 or args[3] is None
        reads.append((whole, tuple(args[4]) if len(args) > 4 else ()))
        return real(*args)

    monkeypatch.setattr(sprint_service, "load_planning", counted)
    return reads


async def test_send_back_reads_only_the_item_and_puts_it_in_its_place(
    db: Database,
    clock: Clock,
    make_app: Callable[..., TpmApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = seed_sprints(db)
    reads = _spy_on_reads(monkeypatch)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        assert screen.planning is not None
        await pilot.press("l")  # the sprint's side: its first item goes back
        await settled(pilot, screen)
        sent = screen.query_one("#sprint-items", CardList).highlighted_item()
        assert sent is not None
        done = len(reads)
        await pilot.press("less_than_sign")
        await settled(pilot, screen)
        assert reads[done] == (False, (sent.id,))
        full = load_planning(db, clock, ids["sprint"])  # (the real one: imported first)
        assert full is not None
        shown = [i.id for i in screen.query_one("#sprint-backlog", CardList).items]
        assert shown == [i.id for i in full.candidates]
        assert sent.id in shown
        assert screen.planning.candidates == full.candidates
        assert sent.id not in [i.id for i in screen.planning.report.items]


async def test_a_read_on_the_planning_view_lays_nothing_out_and_the_burndown_follows(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    laid_out: list[str] = []
    real = Widget.refresh

    def spied(self: Widget, *regions: Any, **options: Any) -> Widget:
        if options.get("layout"):
            laid_out.append(f"{type(self).__name__}#{self.id}")
        return real(self, *regions, **options)

    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        monkeypatch.setattr(Widget, "refresh", spied)
        await pilot.press("greater_than_sign")
        await settled(pilot, screen)
        assert laid_out == []
        assert screen.planning is not None
        monkeypatch.undo()
        await pilot.press("b")
        await settled(pilot, screen)
        title = str(screen.query_one("#burndown-title", Static).render())
        report = screen.planning.report
        assert f"added {report.added}" in title and f"left {report.remaining}" in title
        assert report.added > 0  # the pull came after the planning day


async def test_start_up_is_frozen_out_of_full_collections_until_the_app_ends(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    seed_sprints(db)
    gc.unfreeze()  # whatever an earlier test left
    async with make_app().run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_a_change_elsewhere_keeps_the_backlog_items_it_did_not_touch(
    db: Database, db_path: Path, make_app: Callable[..., TpmApp]
) -> None:
    """Another program changes a sprint item and one backlog item: the screen reads the
    backlog again, and every other backlog item is the very view it showed (not made
    again from its row, and a card list comparing by identity has nothing to redraw)."""
    ids = seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        assert screen.planning is not None
        before = {item.id: item for item in screen.planning.candidates}
        other = open_database(location_for(db_path))
        backlog.edit_item(other, at(26, 9), ids["csv"], points=5)
        backlog.edit_item(other, at(26, 9), ids["dark"], title="Dark mode, everywhere")
        other.close()

        def csv_points() -> int | None:
            assert screen.planning is not None
            return {i.id: i.points for i in screen.planning.report.items}[ids["csv"]]

        await wait_until(pilot, lambda: csv_points() == 5, tries=300)
        await settled(pilot, screen)
        after = {item.id: item for item in screen.planning.candidates}
        assert set(after) == set(before)
        assert after[ids["dark"]].title == "Dark mode, everywhere"
        assert [i for i in after if after[i] is not before[i]] == [ids["dark"]]


async def test_own_writes_are_not_read_back_but_other_screens_writes_are(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `>` the screen shows what it wrote and does not read the backlog again a
    second later (its own commit is no change to it); a write made by another screen of
    the app (the board's connection) is read when the screen is shown again."""
    ids = seed_sprints(db)
    reads = _spy_on_reads(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        before = len(reads)
        await pilot.press("greater_than_sign")
        await settled(pilot, screen)
        await pilot.pause(2.5)  # the screen looks for changes every second
        assert reads[before:] == [(False, ())]  # the pull's read, with the backlog it knows
        done = len(reads)
        await pilot.press("1")
        await board_ready(pilot)
        backlog.move_item(app.workspace.db, at(26, 9), ids["dark"], "done")  # as the board
        await pilot.press("5")
        await wait_until(pilot, lambda: app.screen is screen and len(reads) > done)
        await settled(pilot, screen)
        assert reads[done:] == [(True, ())]
        assert screen.planning is not None
        assert ids["dark"] not in [i.id for i in screen.planning.candidates]


async def test_an_action_item_joins_the_backlog_shown(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        await pilot.press("r")
        await settled(pilot, screen)
        editor = screen.query_one("#retro-note", TextArea)
        row = editor.document.line_count - 2
        editor.move_cursor((row, len("- [ ] ")))
        await pilot.press(*"Fix the flaky test")
        await pilot.press("ctrl+b")
        await settled(pilot, screen)
        made = [i for i in backlog.list_items(db) if i.title == "Fix the flaky test"]
        assert len(made) == 1
        shown = screen.query_one("#sprint-backlog", CardList).items
        assert made[0].id in [i.id for i in shown]
        full = load_planning(db, screen.workspace.clock, screen.sprint_id)
        assert full is not None and tuple(shown) == full.candidates


async def test_starting_on_the_sprint_screen_reads_and_follows_changes(
    db: Database, db_path: Path, clock: Clock
) -> None:
    """`tpm sprint`: the screen's first read opens the workspace (nothing is asked of
    the database before it), and a change from another program still shows."""
    ids = seed_sprints(db)
    app = TpmApp(Workspace(location_for(db_path), clock, name="~/work/tpm.db"), mode="sprint")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, SprintScreen) and app.screen.planning is not None
        )
        screen = app.screen
        assert isinstance(screen, SprintScreen)
        await settled(pilot, screen)
        other = open_database(location_for(db_path))
        backlog.edit_item(other, at(26, 9), ids["dark"], title="Dark mode, everywhere")
        other.close()

        def shown() -> list[str]:
            return [i.title for i in screen.query_one("#sprint-backlog", CardList).items]

        await wait_until(pilot, lambda: "Dark mode, everywhere" in shown(), tries=300)
