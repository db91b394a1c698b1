"""The undo steps and their stack, without a screen: each step puts the database back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.errors import DatabaseBusy
from tpm_tui.services import backlog, timetrack
from tpm_tui.undo import (
    EntryDeleted,
    ItemArchived,
    ItemMoved,
    ItemReordered,
    NothingToUndo,
    UndoStack,
)

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


def test_steps_undo_in_reverse_order_and_the_stack_is_bounded(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    before = backlog.get_item(db, seeded.story)
    moved = backlog.move_item(db, clock, seeded.story, "review")
    stack = UndoStack(depth=2)
    stack.push(ItemReordered(seeded.debt, 0))  # falls off: only two are kept
    stack.push(ItemMoved(seeded.story, before.status, before.rank, before.done_at, "Review"))
    backlog.set_archived(db, clock, seeded.debt, True)
    stack.push(ItemArchived(seeded.debt))
    assert len(stack) == 2

    step, focus = stack.undo(db, clock)
    assert step.label == f"archive of #{seeded.debt}" and focus == seeded.debt
    assert not backlog.get_item(db, seeded.debt).archived
    step, focus = stack.undo(db, clock)
    assert step.label == f"move of #{seeded.story} to Review"
    after = backlog.get_item(db, seeded.story)
    assert (after.status, after.rank) == (before.status, before.rank) != (moved.status, moved.rank)
    with pytest.raises(NothingToUndo):
        stack.undo(db, clock)


@pytest.mark.sqlite_only  # holds SQLite's write lock from another connection
def test_a_busy_database_keeps_the_step_for_another_try(
    seeded: Seeded, clock: Clock, db_path: Path
) -> None:
    db = seeded.db
    before = backlog.get_item(db, seeded.story)
    backlog.move_item(db, clock, seeded.story, "todo")
    stack = UndoStack()
    stack.push(ItemMoved(seeded.story, before.status, before.rank, before.done_at, "To Do"))
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy):
            stack.undo(db.impatient(50), clock)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(stack) == 1  # kept
    stack.undo(db, clock)
    assert backlog.get_item(db, seeded.story).status == before.status


def test_a_deleted_entry_comes_back(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    entry = timetrack.log_entry(db, clock, 30, "meetings", "standup")
    gone = timetrack.delete_entry(db, clock, entry.id)
    stack = UndoStack()
    stack.push(EntryDeleted(gone))
    _step, focus = stack.undo(db, clock)
    back = timetrack.entries_for_day(db, clock, clock.today())
    assert [(e.id, e.note, e.minutes) for e in back] == [(focus, "standup", 30)]
