"""The sprint screen's narrow reads: a backlog read before, with the items just taken out
of a sprint read alone and put in their place, is the backlog a full read gives."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.unit.test_sprints import MONDAY, at
from tpm_tui.db import Database
from tpm_tui.services import backlog, planning, sprints
from tpm_tui.sql.executor import Executor
from tpm_tui.sql.stmt import Stmt


def _backlog_of(db: Database) -> dict[str, int]:
    """A sprint holding items from every part of the backlog's order (two columns,
    ranks before, between and after the others, a tie broken by id), one of them done
    (not something a sprint can take) and one archived; a closed sprint's item."""
    clock = at(23, 9)
    ids: dict[str, int] = {}
    for key, status in (
        ("first", "backlog"),
        ("second", "backlog"),
        ("third", "backlog"),
        ("todo", "todo"),
        ("todo2", "todo"),
    ):
        ids[key] = backlog.create_item(db, clock, "story", key, points=2, status=status).id
    for key, status in (
        ("top", "backlog"),
        ("middle", "backlog"),
        ("bottom", "todo"),
        ("finished", "done"),
        ("gone", "backlog"),
    ):
        ids[key] = backlog.create_item(db, clock, "bug", key, points=1, status=status).id
    backlog.reorder_item(db, clock, ids["top"], -10)  # before every backlog item
    backlog.reorder_item(db, clock, ids["middle"], -2)  # between two
    sprint = planning.create_sprint(db, "S1", MONDAY, date(2026, 12, 6))
    held = ["top", "middle", "bottom", "finished", "gone"]
    sprints.add_items(db, clock, sprint.id, [ids[k] for k in held])
    ids["sprint"] = sprint.id
    return ids


def test_items_returned_to_the_backlog_land_where_a_full_read_puts_them(db: Database) -> None:
    ids = _backlog_of(db)
    clock = at(24, 9)
    before = sprints.load_planning(db, clock, ids["sprint"])
    assert before is not None
    backlog.set_archived(db, clock, ids["gone"], True)
    returned = [ids[k] for k in ("top", "middle", "bottom", "finished", "gone")]
    sprints.remove_items(db, clock, ids["sprint"], returned)
    narrow = sprints.load_planning(db, clock, ids["sprint"], before.candidates, returned)
    full = sprints.load_planning(db, clock, ids["sprint"])
    assert narrow is not None and full is not None
    assert narrow.candidates == full.candidates
    names = [i.title for i in full.candidates]
    assert names[:2] == ["top", "first"] and "finished" not in names and "gone" not in names
    assert narrow.report == full.report


def test_one_item_returned_at_a_time_keeps_the_order(db: Database) -> None:
    ids = _backlog_of(db)
    clock = at(24, 9)
    loaded = sprints.load_planning(db, clock, ids["sprint"])
    assert loaded is not None
    shown = loaded.candidates
    for key in ("middle", "bottom", "top", "finished"):
        sprints.remove_items(db, clock, ids["sprint"], [ids[key]])
        narrow = sprints.load_planning(db, clock, ids["sprint"], shown, [ids[key]])
        full = sprints.load_planning(db, clock, ids["sprint"])
        assert narrow is not None and full is not None
        assert narrow.candidates == full.candidates, key
        shown = narrow.candidates


def test_the_narrow_read_reads_only_the_returned_items(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole backlog is not read again: only the returned items are."""
    ids = _backlog_of(db)
    clock = at(24, 9)
    loaded = sprints.load_planning(db, clock, ids["sprint"])
    assert loaded is not None
    sprints.remove_items(db, clock, ids["sprint"], [ids["middle"]])
    ran: list[tuple[str, dict[str, Any]]] = []
    real = Executor.rows

    def counted(self: Executor, stmt: Stmt, /, **params: Any) -> list[Any]:
        ran.append((stmt.name, params))
        return real(self, stmt, **params)

    monkeypatch.setattr(Executor, "rows", counted)
    sprints.load_planning(db, clock, ids["sprint"], loaded.candidates, [ids["middle"]])
    names = [name for name, _params in ran]
    assert "backlog_candidates" not in names
    assert ("backlog_candidates_among", {"ids": [ids["middle"]]}) in ran
