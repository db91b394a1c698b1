"""Goals and key results (outcome and output progress, history), the vision and PRD
versions, and the PRD's section check."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.services import backlog, goals, prd

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL


def test_outcome_and_output_of_seeded_goals(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    billing = goals.create_goal(db, clock, "Customers bill themselves")
    empty = goals.create_goal(db, clock, "Every payment lands")
    up = goals.add_key_result(db, clock, billing.id, "Activation", 12, 25, "%", current=14)
    down = goals.add_key_result(db, clock, billing.id, "Tickets a week", 40, 15)
    goals.record_value(db, clock, up.id, 25)  # reached: 100 %
    goals.record_value(db, clock, down.id, 35)  # 5 of 25 down: 20 %
    goals.link_epic(db, clock, seeded.epic, billing.id)
    found = {g.id: g for g in goals.load_goals(db, clock).goals}
    assert found[billing.id].outcome_percent == 60
    # The epic holds story 5 + bug 3 (done) + debt 2: 3 of 10 points done.
    assert found[billing.id].output_percent == 30
    assert found[billing.id].output_ahead is False
    assert found[empty.id].outcome_percent is None
    assert found[empty.id].output_percent is None
    backlog.move_item(db, clock, seeded.story, "done")
    backlog.move_item(db, clock, seeded.debt, "done")
    goals.record_value(db, clock, up.id, 12)
    goals.record_value(db, clock, down.id, 40)
    moved = {g.id: g for g in goals.load_goals(db, clock).goals}[billing.id]
    assert (moved.outcome_percent, moved.output_percent, moved.output_ahead) == (0, 100, True)


def test_key_result_history_and_sparkline(db: Database, clock: Clock) -> None:
    goal = goals.create_goal(db, clock, "G")
    kr = goals.add_key_result(db, clock, goal.id, "Rate", 0, 10)
    for day, value in ((3, 2), (1, 8), (2, 5)):
        goals.record_value(db, clock, kr.id, value, date(2026, 11, day))
    again = goals.key_result(db, kr.id)
    assert [v.value for v in again.values] == [8, 5, 2]
    assert [v.recorded_on.day for v in again.values] == [1, 2, 3]
    assert again.current == 2  # the latest day's value
    assert again.sparkline() == "▁▇▅▂"
    assert again.progress == 20


def test_key_results_refuse_what_cannot_move(db: Database, clock: Clock) -> None:
    goal = goals.create_goal(db, clock, "G")
    with pytest.raises(InvalidInput, match="is the baseline"):
        goals.add_key_result(db, clock, goal.id, "Flat", 3, 3.0)
    with pytest.raises(InvalidInput, match="must be a number"):
        goals.add_key_result(db, clock, goal.id, "Inf", "inf", 3)
    with pytest.raises(NotFound):
        goals.add_key_result(db, clock, 99, "Nowhere", 1, 2)
    goals.set_goal_archived(db, clock, goal.id, True)
    with pytest.raises(InvalidInput, match="archived"):
        goals.add_key_result(db, clock, goal.id, "Late", 1, 2)
    assert goals.load_goals(db, clock).goals == []
    assert [g.id for g in goals.load_goals(db, clock, archived=True).goals] == [goal.id]


def test_only_epics_serve_goals(seeded: Seeded, clock: Clock) -> None:
    goal = goals.create_goal(seeded.db, clock, "G")
    with pytest.raises(InvalidInput, match="only epics serve goals"):
        goals.link_epic(seeded.db, clock, seeded.story, goal.id)
    goals.link_epic(seeded.db, clock, seeded.epic, goal.id)
    assert goals.load_goals(seeded.db, clock).unlinked == []
    goals.link_epic(seeded.db, clock, seeded.epic, None)
    assert [e.item.id for e in goals.load_goals(seeded.db, clock).unlinked] == [seeded.epic]


def test_prd_versions_history_and_diff(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    first = prd.save_prd(db, clock, seeded.epic, "# PRD\n\n## Problem\n\nTickets.\n")
    same = prd.save_prd(db, clock, seeded.epic, "# PRD\n\n## Problem\n\nTickets.\n")
    second = prd.save_prd(db, clock, seeded.epic, "# PRD\n\n## Problem\n\nToo many tickets.\n")
    assert first.changed and not same.changed and second.changed
    history = prd.history(db, seeded.epic)
    assert [v.number for v in history] == [1, 2]
    assert str(history[-1].sections) == "1/9"
    change = prd.last_change(db, clock, seeded.epic)
    assert "-Tickets." in change and "+Too many tickets." in change
    assert prd.statuses(db) == {seeded.epic: history[-1].sections}
    with pytest.raises(InvalidInput, match="PRDs belong to epics"):
        prd.save_prd(db, clock, seeded.story, "x")


def test_a_new_prd_starts_from_the_template_naming_its_key_results(
    seeded: Seeded, clock: Clock
) -> None:
    goal = goals.create_goal(seeded.db, clock, "G")
    goals.add_key_result(seeded.db, clock, goal.id, "Activation", 12, 25, "%")
    goals.link_epic(seeded.db, clock, seeded.epic, goal.id)
    text, new = prd.starting_text(seeded.db, clock, seeded.epic)
    assert new
    assert "KR1 Activation 12 % → 25 %" in text
    check = prd.check_sections(text)
    assert check.filled == () and check.empty == prd.SECTIONS


def test_the_section_check() -> None:
    text = "\n".join(
        [
            "# PRD: X",
            "## Problem",
            "<!-- a note is not writing -->",
            "## Goals and non-goals",
            "### Goals",
            "- fewer tickets",
            "## Requirements",
            "```",
            "## Metrics (in a code block: not a heading)",
            "```",
            "## Metrics — which key results it moves",
            "",
            "## Timeline",
            "Q1",
        ]
    )
    check = prd.check_sections(text)
    assert check.filled == ("Goals and non-goals", "Requirements", "Timeline")
    assert check.empty == ("Problem", "Metrics")
    assert check.missing == (
        "Users and stories",
        "Acceptance criteria",
        "Risks and dependencies",
        "Open questions",
    )
    assert check.sections.filled == 3


def test_the_vision_is_versioned(db: Database, clock: Clock) -> None:
    assert goals.vision(db) is None
    goals.save_vision(db, clock, "# Vision\n\nPaid \x1b[31mon time.")
    current = goals.vision(db)
    assert current is not None and current.body == "# Vision\n\nPaid on time."
    assert len(goals.vision_history(db)) == 1


def test_export_carries_goals_and_documents_and_older_files_still_import(
    seeded: Seeded, clock: Clock, tmp_path: Path
) -> None:
    from tests.conftest import location_for
    from tpm_tui.db import open_database
    from tpm_tui.services import transfer

    goal = goals.create_goal(seeded.db, clock, "G", due_date=date(2027, 1, 29))
    kr = goals.add_key_result(seeded.db, clock, goal.id, "Rate", 1.5, 4, "%", current=2)
    goals.record_value(seeded.db, clock, kr.id, 3.25, date(2026, 11, 20))
    goals.link_epic(seeded.db, clock, seeded.epic, goal.id)
    goals.save_vision(seeded.db, clock, "# Vision")
    prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\n## Problem\n\nOne.")
    prd.save_prd(seeded.db, clock, seeded.epic, "# PRD\n\n## Problem\n\nTwo.")
    backlog.edit_item(seeded.db, clock, seeded.epic, target_date=date(2026, 12, 18))
    exported = transfer.export_workspace(seeded.db, clock)
    assert [len(exported[k]) for k in ("key_results", "key_result_values", "documents")] == [
        1,
        2,
        3,
    ]
    assert len(exported["date_changes"]) == 1
    fresh = open_database(location_for(tmp_path / "fresh.db"))
    transfer.import_workspace(fresh, exported)
    again = transfer.export_workspace(fresh, clock)
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in exported.items() if k != "exported_at"
    }
    older = {
        k: v
        for k, v in exported.items()
        if k not in ("key_results", "key_result_values", "documents", "date_changes")
    }
    empty = open_database(location_for(tmp_path / "older.db"))
    transfer.import_workspace(empty, older)
    assert goals.vision(empty) is None
    assert [g.title for g in goals.load_goals(empty, clock).goals] == ["G"]
    flat = copy.deepcopy(exported)
    flat["key_results"][0]["target"] = flat["key_results"][0]["baseline"]
    with pytest.raises(InvalidInput, match="the target is the baseline"):
        transfer.import_workspace(open_database(location_for(tmp_path / "flat.db")), flat)


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("Activation rate: 12 -> 25 %", ("Activation rate", "12", "25", "%")),
        ("Tickets a week: 40 → 15", ("Tickets a week", "40", "15", "")),
        ("Revenue: 1.5 -> 3 M€", ("Revenue", "1.5", "3", "M€")),
    ],
)
def test_the_goals_screen_reads_a_key_result_line(line: str, parts: tuple[str, ...]) -> None:
    from tpm_tui.screens.goals import parse_key_result

    assert parse_key_result(line) == parts


@pytest.mark.parametrize("line", ["x: 1 -> 2 -> 3", "x: 1 -> 2 → 3 %", "no arrow: 1 2", "x"])
def test_a_key_result_line_with_other_than_one_baseline_and_target_is_refused(
    line: str,
) -> None:
    from tpm_tui.screens.goals import parse_key_result

    with pytest.raises(InvalidInput, match="BASELINE -> TARGET"):
        parse_key_result(line)


def test_a_new_prd_keeps_the_epic_description_inside_its_problem_section(
    seeded: Seeded, clock: Clock
) -> None:
    # An epic described in Markdown with its own title: under "## Problem" its headings
    # become sub-headings (one title, the Problem section written); code stays code.
    backlog.edit_item(
        seeded.db,
        clock,
        seeded.epic,
        description="# Usage-based billing\nWhy: we bill by seat.\n```\n# a comment\n```",
    )
    text, new = prd.starting_text(seeded.db, clock, seeded.epic)
    assert new
    assert [line for line in text.splitlines() if line.startswith("# ")] == [
        "# PRD: Self-serve invoicing",
        "# a comment",  # (in its code block)
    ]
    assert "### Usage-based billing\nWhy: we bill by seat.\n```\n# a comment\n```" in text
    check = prd.check_sections(text)
    assert "Problem" not in check.unwritten and "Requirements" in check.unwritten
