"""The sprint screen's narrow reads: a backlog read before, with the items just taken out
of a sprint read alone and put in their place, is the backlog a full read gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.unit.test_sprints import MONDAY, at
from tpm_tui.db import Database
from tpm_tui.services import backlog, planning, sprints
from tpm_tui.sql.executor import Executor, SqliteExecutor
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


def _epic_backlog(db: Database) -> dict[str, int]:
    """An epic with a feature and stories under it, loose stories and bugs, and a
    closed sprint's story reopened after the close (the backlog shows its sprint's
    name)."""
    clock = at(20, 9)
    ids: dict[str, int] = {}
    ids["epic"] = backlog.create_item(db, clock, "epic", "Payments").id
    ids["feature"] = backlog.create_item(db, clock, "feature", "Cards", parent_id=ids["epic"]).id
    for n in range(6):
        parent = ids["feature"] if n < 3 else None
        ids[f"s{n}"] = backlog.create_item(
            db, clock, "story" if n % 2 else "bug", f"Item {n}", points=n, parent_id=parent
        ).id
    old = planning.create_sprint(db, "Old", date(2026, 11, 9), date(2026, 11, 15))
    sprints.add_items(db, at(9, 9), old.id, [ids["s5"]])
    backlog.move_item(db, at(12, 9), ids["s5"], "done")
    sprints.close_sprint(db, at(16, 9), old.id, None)
    backlog.move_item(db, at(17, 9), ids["s5"], "todo")  # reopened: still the old sprint's
    ids["old"] = old.id
    ids["running"] = planning.create_sprint(db, "Now", MONDAY, date(2026, 12, 6)).id
    return ids


def test_known_rows_give_what_a_full_read_gives_and_keep_unchanged_views(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever changed (a title, points, rank, column, an epic's title, a sprint's name,
    an archive, an item new or taken into a sprint), a read through the rows known from
    the last one equals a full read; items that did not change are the very same views,
    and only changed rows are converted."""
    ids = _epic_backlog(db)
    clock = at(24, 9)
    known = sprints.KnownItems()
    first = sprints.load_planning(db, clock, ids["running"], None, (), known)
    assert first is not None
    again = sprints.load_planning(db, clock, ids["running"])
    assert again is not None and first.candidates == again.candidates
    converted: list[int] = []  # the ids of the backlog rows converted
    real = SqliteExecutor.converted

    def counted(self: SqliteExecutor, stmt: Stmt, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        converted.append(raw[0])
        return real(self, stmt, raw)

    changes: list[tuple[str, Callable[[], object], set[int] | None]] = [
        ("nothing", lambda: None, set()),
        ("title", lambda: backlog.edit_item(db, clock, ids["s1"], title="Renamed"), {ids["s1"]}),
        ("points", lambda: backlog.edit_item(db, clock, ids["s3"], points=8), {ids["s3"]}),
        ("rank", lambda: backlog.reorder_item(db, clock, ids["s4"], -2), None),
        ("column", lambda: backlog.move_item(db, clock, ids["s0"], "todo"), {ids["s0"]}),
        (
            "epic title",
            lambda: backlog.edit_item(db, clock, ids["epic"], title="Billing"),
            {ids["s0"], ids["s1"], ids["s2"]},
        ),
        (
            "sprint name",
            lambda: sprints.edit_sprint(db, ids["old"], name="Older"),
            {ids["s5"]},
        ),
        ("archive", lambda: backlog.set_archived(db, clock, ids["s2"], True), set()),
        ("pulled", lambda: sprints.add_items(db, clock, ids["running"], [ids["s3"]]), set()),
    ]
    before = first.candidates
    for label, change, expected in changes:
        change()
        converted.clear()
        monkeypatch.setattr(SqliteExecutor, "converted", counted)
        narrow = sprints.load_planning(db, clock, ids["running"], None, (), known)
        monkeypatch.undo()
        full = sprints.load_planning(db, clock, ids["running"])
        assert narrow is not None and full is not None
        assert narrow.candidates == full.candidates, label
        old = {item.id: item for item in before}
        fresh = {item.id for item in narrow.candidates if old.get(item.id) is not item}
        if expected is not None:
            assert fresh == expected, label
        assert set(converted) == fresh, label
        before = narrow.candidates


def test_raw_rows_converted_are_the_rows(db: Database) -> None:
    """`converted(raw_rows())` is `rows()`, through either executor."""
    from tpm_tui.sql import compiled as q
    from tpm_tui.sql.executor import AlchemyExecutor

    _epic_backlog(db)
    connection = db.raw_connection()
    try:
        ex = SqliteExecutor(connection)
        stmt = q.backlog_candidates
        assert [ex.converted(stmt, raw) for raw in ex.raw_rows(stmt)] == ex.rows(stmt)
        assert ex.rows(stmt)
    finally:
        connection.close()
    with db.engine.connect() as conn:
        alchemy = AlchemyExecutor(conn)
        rows = alchemy.rows(stmt)
        assert [alchemy.converted(stmt, raw) for raw in alchemy.raw_rows(stmt)] == rows
