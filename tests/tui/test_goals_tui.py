"""Goals, PRDs and the status report in the app: R on the week screen, the goals
screen (6), the PRD editor (p), the roadmap grouped by goal (g)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Markdown, OptionList, Static

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, Workspace, board_ready, location_for, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.screens.goals import GoalsScreen
from tpm_tui.screens.item_form import DiscardChanges
from tpm_tui.screens.prd import DocumentEditor, EditorApp
from tpm_tui.screens.roadmap import RoadmapScreen
from tpm_tui.screens.week import WeekScreen
from tpm_tui.services import backlog, goals, prd
from tpm_tui.widgets.detail_pane import DetailPane, facts
from tpm_tui.widgets.epic_tree import EpicTree
from tpm_tui.widgets.timeline import Timeline


async def test_r_on_the_week_screen_writes_the_status_report(
    seeded: Seeded, db_path: Path, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPM_REPORTS", str(tmp_path / "reports"))
    goal = goals.create_goal(seeded.db, clock, "Customers bill themselves")
    goals.link_epic(seeded.db, clock, seeded.epic, goal.id)
    app = TpmApp(Workspace(location_for(db_path), clock, name="~/work/tpm.db"))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", WeekScreen)
        await pilot.press("left_square_bracket", "R")  # R waits for W47 to show
        await wait_until(pilot, lambda: not app.screen._pending)  # type: ignore[attr-defined]
    written = sorted((tmp_path / "reports").iterdir())
    tag = app.workspace.file_tag
    assert tag.startswith("data-") and [p.name for p in written] == [f"status-2026-W47-{tag}.md"]
    text = written[0].read_text(encoding="utf-8")
    assert text.startswith("# Status, week 2026-W47 (Mon 16 Nov – Sun 22 Nov 2026)\n")
    assert "| #1 Self-serve invoicing |" in text
    assert "G1 Customers bill themselves" in text


def _goal_with_epic(seeded: Seeded, clock: Clock) -> goals.KeyResultView:
    goal = goals.create_goal(seeded.db, clock, "Customers bill themselves")
    kr = goals.add_key_result(seeded.db, clock, goal.id, "Activation", 10, 20, "%", current=12)
    goals.link_epic(seeded.db, clock, seeded.epic, goal.id)
    return kr


async def test_a_key_result_value_moves_the_goal(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    kr = _goal_with_epic(seeded, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        assert screen.goals is not None and screen.goals.goals[0].outcome_percent == 20
        await pilot.press("down", "m", *"15", "enter")
        await wait_until(
            pilot,
            lambda: (
                screen.goals is not None
                and screen.ready
                and screen.goals.goals[0].outcome_percent == 50
            ),
        )
        options = screen.query_one(OptionList)
        shown = str(options.get_option(f"k{kr.id}").prompt)
        assert "now 15 %" in shown
        await pilot.press("u")
        await wait_until(
            pilot,
            lambda: (
                screen.goals is not None
                and screen.ready
                and screen.goals.goals[0].outcome_percent == 20
            ),
        )
    assert goals.key_result(seeded.db, kr.id).current == 12


async def test_j_and_k_move_between_the_rows(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    kr = _goal_with_epic(seeded, clock)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        options = screen.query_one(OptionList)
        first = options.highlighted
        await pilot.press("j")
        assert options.highlighted is not None and options.highlighted != first
        assert screen.selected_id() == f"k{kr.id}"
        await pilot.press("k")
        assert options.highlighted == first


async def test_edit_a_prd_esc_asks_save_and_preview(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    _goal_with_epic(seeded, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        goals_screen = await open_screen(pilot, "6", GoalsScreen)
        options = goals_screen.query_one(OptionList)
        options.highlighted = options.get_option_index(f"e{seeded.epic}")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentEditor))
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        assert editor.text.startswith("# PRD: Self-serve invoicing")
        heading = editor.query_one("#doc-title", Static)
        assert "(new, from the template)" in str(heading.render())
        status = editor.query_one("#doc-status", Static)
        assert str(status.render()).startswith("not saved yet")  # (not "saved")
        assert "KR1 Activation 10 % → 20 %" in editor.text
        assert len(editor.unwritten) == 9
        editor.area.move_cursor((3, 0))  # under "## Problem"
        await pilot.press(*"Oops")
        assert editor.unsaved
        await pilot.press("ctrl+z")
        assert not editor.unsaved  # undone
        await pilot.press(*"Tickets", "enter")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardChanges))
        asked = app.screen
        assert isinstance(asked, DiscardChanges) and "the PRD of #" in asked.question
        await pilot.press("escape")  # keep editing
        await wait_until(pilot, lambda: app.screen is editor)
        await pilot.press("f2")
        await wait_until(pilot, lambda: editor.query_one("#doc-preview-box").display)
        preview = editor.query_one("#doc-preview", Markdown)
        await wait_until(pilot, lambda: "Tickets" in preview.source)
        await pilot.press("ctrl+s")
        assert not editor.unsaved
        assert "new, from the template" not in str(heading.render())  # saved: not new
        assert editor.unwritten[0] == "Goals and non-goals"
        await pilot.press("escape")  # nothing unsaved: closes at once
        await wait_until(pilot, lambda: app.screen is goals_screen and goals_screen.ready)
        shown = str(options.get_option(f"e{seeded.epic}").prompt)
        assert "PRD 1/9" in shown
    current = prd.current(seeded.db, seeded.epic)
    assert current is not None and "Tickets" in current.body
    assert current.sections.filled == 1


async def test_g_groups_the_roadmap_by_goal(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    _goal_with_epic(seeded, clock)
    goals.create_goal(seeded.db, clock, "Nobody works on this")
    backlog.create_item(seeded.db, clock, "epic", "Loose epic")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "2", RoadmapScreen)
        timeline = screen.query_one(Timeline)
        assert not any(isinstance(line, str) for line in timeline.lines())
        await pilot.press("g")
        await wait_until(pilot, lambda: screen.ready and bool(timeline.headers))
        lines = [line if isinstance(line, str) else f"#{line.item.id}" for line in timeline.lines()]
        assert lines == [
            "G1 Customers bill themselves · outcome 20 % · output 30 %",
            f"#{seeded.epic}",
            f"#{seeded.feature}",
            "G2 Nobody works on this · outcome – · output –",
            "1 epic serves no goal",
            "#6",
        ]
        assert timeline.selected_row() is not None
        await pilot.press("down", "down")
        selected = timeline.selected_row()
        assert selected is not None and selected.item.id == 6
        await pilot.press("g")
        await wait_until(pilot, lambda: screen.ready and not timeline.headers)


async def test_an_epic_shows_its_prd_sections_in_the_pane_and_the_tree(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    written = "# PRD\n\n" + "".join(f"## {name}\n\nText.\n\n" for name in prd.SECTIONS[:5])
    prd.save_prd(seeded.db, clock, seeded.epic, written)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("v", "v")
        await wait_until(pilot, lambda: board.focused_id() == seeded.epic)
        await pilot.press("i")
        pane = board.query_one(DetailPane)
        await wait_until(pilot, lambda: pane.detail is not None)
        assert ("PRD", "PRD 5/9") in facts(pane.detail)  # type: ignore[arg-type]
        await pilot.press("b")
        tree = board.query_one(EpicTree)
        await wait_until(pilot, lambda: len(tree.root.children) > 0)
        assert "PRD 5/9" in str(tree.root.children[0].label)
        await pilot.press("b")
        await wait_until(pilot, lambda: not tree.display)  # back on the board
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentEditor))
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        assert editor.text == written.rstrip("\n")
        assert editor.unwritten == prd.SECTIONS[5:]


async def test_the_built_in_editor_on_its_own_saves_and_says_so() -> None:
    saved: list[str] = []

    def save(text: str) -> str:
        saved.append(text)
        return "saved the vision"

    app = EditorApp("Vision", "# Vision\n", save, None)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        editor.area.move_cursor((1, 0))
        await pilot.press(*"Paid", "ctrl+s", "escape")
    assert saved == ["# Vision\nPaid"]
    assert app.return_value == "saved the vision"


async def test_drawing_the_editor_does_not_join_the_whole_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.document._document import Document

    joins = 0
    whole = Document.text

    def counted(self: Document) -> str:
        nonlocal joins
        joins += 1
        return whole.fget(self)  # type: ignore[attr-defined,no-any-return]

    text = "\n".join(f"line {i} with a few words in it" for i in range(2000))
    app = EditorApp("PRD", text, lambda _: "saved", None)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        await pilot.pause()
        monkeypatch.setattr(Document, "text", property(counted))
        await pilot.press(*"abc")
        await pilot.pause()
        assert joins == 0  # the status line reads it once typing pauses, not per line drawn
        assert editor.area.text.startswith("abcline 0")
