"""Backlog rules: creation, validation, moves, order, archive, tree and roll-ups."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.models import Kind
from tpm_tui.services import backlog

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


def test_create_defaults_to_the_bottom_of_backlog(db: Database, clock: Clock) -> None:
    first = backlog.create_item(db, clock, "story", "First")
    second = backlog.create_item(db, clock, Kind.BUG, "Second", points="3")
    assert (first.status, second.status) == ("backlog", "backlog")
    assert second.rank > first.rank
    assert second.points == 3
    assert first.created_at == clock.now()


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"title": ""}, "title is empty", "title"),
        ({"title": "   \t "}, "title is empty", "title"),
        ({"title": "x" * 201}, "201 characters", "title"),
        ({"points": -1}, "from 0 to 100", "points"),
        ({"points": 1000}, "from 0 to 100", "points"),
        ({"points": "five"}, "whole number", "points"),
        ({"parent_id": 999}, "no parent #999", "parent_id"),
        ({"status": "nowhere"}, "unknown column 'nowhere'", "status"),
        (
            {"start_date": date(2026, 12, 1), "target_date": date(2026, 11, 1)},
            "before the start",
            "target_date",
        ),
        ({"sprint_id": 42}, "no sprint #42", "sprint_id"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    db: Database, clock: Clock, kwargs: dict[str, object], message: str, field: str
) -> None:
    kwargs = dict(kwargs)  # the parameters are shared by both engines' runs
    title = kwargs.pop("title", "A story")
    with pytest.raises(InvalidInput, match=message) as error:
        backlog.create_item(db, clock, "story", title, **kwargs)  # type: ignore[arg-type]
    assert error.value.field == field
    assert backlog.list_items(db, archived=None) == []


def test_control_characters_and_escapes_are_stripped_markup_kept(
    db: Database, clock: Clock
) -> None:
    item = backlog.create_item(
        db,
        clock,
        "story",
        "\x1b]0;pwned\x07[bold]Fix[/] \x1b[31mred\x1b[0m\x00 bug\nnow",
        description="line one\r\nline two\x07\n\ttabbed",
    )
    assert item.title == "[bold]Fix[/] red bug now"
    assert item.description == "line one\nline two\n\ttabbed"


def test_kinds_and_prefixes() -> None:
    assert backlog.parse_kind("st") is Kind.STORY
    assert backlog.parse_kind("Epic") is Kind.EPIC
    assert backlog.parse_kind("tech-debt") is Kind.DEBT
    with pytest.raises(InvalidInput, match="epic, feature, story, bug, debt"):
        backlog.parse_kind("e-p-i-c")


def test_the_tree_rule(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    with pytest.raises(InvalidInput, match="an epic has no parent"):
        backlog.create_item(db, clock, "epic", "Sub-epic", parent_id=seeded.epic)
    with pytest.raises(InvalidInput, match="feature's parent must be an epic"):
        backlog.create_item(db, clock, "feature", "Nested", parent_id=seeded.feature)
    with pytest.raises(InvalidInput, match=r"parent must be a feature or an epic; #\d+ is a story"):
        backlog.create_item(db, clock, "bug", "Under a story", parent_id=seeded.story)
    # stories, bugs and debt may sit under a feature or straight under an epic
    assert (
        backlog.create_item(db, clock, "debt", "Under epic", parent_id=seeded.epic).epic_id
        == seeded.epic
    )
    with pytest.raises(
        InvalidInput, match="has bug and story children, so it cannot become a story"
    ):
        backlog.edit_item(db, clock, seeded.feature, kind="story")
    with pytest.raises(InvalidInput, match="its own parent"):
        backlog.edit_item(db, clock, seeded.feature, parent_id=seeded.feature)


def test_epic_is_resolved_through_the_feature(seeded: Seeded) -> None:
    story = backlog.get_item(seeded.db, seeded.story)
    assert (story.epic_id, story.epic_title) == (seeded.epic, "Self-serve invoicing")
    assert story.sprint == "Sprint 24"


def test_rollup_and_done_percent_by_points(seeded: Seeded) -> None:
    sums = backlog.rollups(seeded.db)
    feature, epic = sums[seeded.feature], sums[seeded.epic]
    assert (feature.total_points, feature.done_points, feature.done_percent) == (8, 3, 38)
    # the epic counts its feature's items and the debt filed straight under it
    assert (epic.total_points, epic.done_points, epic.done_percent) == (10, 3, 30)


def test_rollup_leaves_out_archived_items(seeded: Seeded, clock: Clock) -> None:
    backlog.set_archived(seeded.db, clock, seeded.story, True)
    assert backlog.rollups(seeded.db)[seeded.feature].total_points == 3


def test_move_sets_done_time_and_goes_to_the_bottom(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    moved = backlog.move_item(db, clock, seeded.story, "Done")
    assert moved.status == "done" and moved.done_at == clock.now()
    bug = backlog.get_item(db, seeded.bug)
    assert moved.rank > bug.rank
    back = backlog.move_item(db, clock, seeded.story, "in prog")
    assert back.status == "in_progress" and back.done_at is None
    assert backlog.move_item(db, clock, seeded.story, "To-Do").status == "todo"
    assert backlog.move_item(db, clock, seeded.story, "progress").status == "in_progress"
    with pytest.raises(NotFound, match="unknown column 'elsewhere': use one of backlog, todo"):
        backlog.move_item(db, clock, seeded.story, "elsewhere")
    with pytest.raises(NotFound, match="no item #999"):
        backlog.move_item(db, clock, 999, "done")


def test_place_restores_the_exact_previous_position(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    before = backlog.get_item(db, seeded.story)
    backlog.move_item(db, clock, seeded.story, "done")
    after_undo = backlog.place_item(
        db, clock, seeded.story, before.status, before.rank, before.done_at
    )
    assert (after_undo.status, after_undo.rank, after_undo.done_at) == (
        before.status,
        before.rank,
        None,
    )


def _order(db: Database, status: str) -> list[str]:
    return [i.title for i in backlog.list_items(db, status=status, kinds=backlog.LEAF_KINDS)]


def test_reorder_within_the_level_and_stop_at_the_ends(db: Database, clock: Clock) -> None:
    ids = [backlog.create_item(db, clock, "story", name).id for name in "ABC"]
    backlog.create_item(db, clock, "epic", "An epic in the same column")
    backlog.reorder_item(db, clock, ids[2], -1)
    assert _order(db, "backlog") == ["A", "C", "B"]
    backlog.reorder_item(db, clock, ids[2], -1)
    backlog.reorder_item(db, clock, ids[2], -1)  # already at the top: stays
    assert _order(db, "backlog") == ["C", "A", "B"]
    backlog.reorder_item(db, clock, ids[0], +5)
    assert _order(db, "backlog") == ["C", "B", "A"]


def test_reorder_spreads_tied_ranks(db: Database, clock: Clock) -> None:
    ids = [backlog.create_item(db, clock, "story", name).id for name in "ABC"]
    with db.orm_write() as session:
        session.connection().exec_driver_sql("UPDATE work_item SET rank = 1")
    backlog.reorder_item(db, clock, ids[0], +1)
    assert _order(db, "backlog") == ["B", "A", "C"]


def test_edit_changes_only_what_is_given(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    before = backlog.get_item(db, seeded.story)
    after = backlog.edit_item(
        db, clock, seeded.story, points=8, owner=" ana ", target_date=date(2026, 12, 18)
    )
    assert (after.points, after.owner, after.target_date) == (8, "ana", date(2026, 12, 18))
    assert (after.title, after.parent_id, after.sprint_id) == (
        before.title,
        before.parent_id,
        before.sprint_id,
    )
    cleared = backlog.edit_item(db, clock, seeded.story, points=None, sprint_id=None)
    assert (cleared.points, cleared.sprint_id) == (None, None)
    with pytest.raises(InvalidInput, match="cannot edit colour"):
        backlog.edit_item(db, clock, seeded.story, colour="red")


def test_edit_refuses_and_keeps_the_old_values(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    with pytest.raises(InvalidInput, match="before the start"):
        backlog.edit_item(
            db,
            clock,
            seeded.story,
            title="Changed",
            start_date=date(2026, 12, 2),
            target_date=date(2026, 12, 1),
        )
    assert backlog.get_item(db, seeded.story).title == "Export invoices"


def test_archive_and_restore(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    archived = backlog.set_archived(db, clock, seeded.story, True)
    assert archived.archived
    assert seeded.story not in [i.id for i in backlog.list_items(db)]
    assert [i.id for i in backlog.list_items(db, archived=True)] == [seeded.story]
    assert not backlog.set_archived(db, clock, seeded.story, False).archived
    backlog.set_archived(db, clock, seeded.feature, True)
    backlog.set_archived(db, clock, seeded.story, True)
    with pytest.raises(InvalidInput, match=r"parent #\d+ is archived: restore it first"):
        backlog.set_archived(db, clock, seeded.story, False)
    with pytest.raises(InvalidInput, match="is archived"):
        backlog.create_item(db, clock, "story", "Under archived", parent_id=seeded.feature)


def test_list_filters(seeded: Seeded) -> None:
    db = seeded.db
    assert [i.id for i in backlog.list_items(db, status="done")] == [seeded.bug]
    assert [i.id for i in backlog.list_items(db, kinds=[Kind.DEBT])] == [seeded.debt]
    assert {i.id for i in backlog.list_items(db, parent_id=seeded.feature)} == {
        seeded.story,
        seeded.bug,
    }


def test_an_item_read_is_the_item_its_dataclass_makes(seeded: Seeded) -> None:
    # Items are made from their rows without the frozen dataclass's __init__ (speed):
    # the same fields, equal, hashable, still frozen; a row without the import columns
    # leaves them None.
    import dataclasses

    from tpm_tui.sql import compiled as q

    db = seeded.db
    with db.read() as ex:
        rows = ex.rows(
            q.items_list,
            **backlog._filter_params(None, None, ""),
            status=None,
            kinds=[k.value for k in Kind],
            active=True,
            archived=False,
            parent_id=None,
        )
    assert rows
    for row in rows:
        made = backlog.view(row)
        built = backlog.ItemView(row[0], Kind(row[1]), *row[2:])
        assert made == built and hash(made) == hash(built)
        assert dataclasses.astuple(made) == dataclasses.astuple(built)
        assert isinstance(made.kind, Kind)
    short = backlog.view(rows[0][:-2])
    assert (short.source, short.source_key) == (None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "changed"  # type: ignore[misc]
