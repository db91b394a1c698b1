"""Two people at once on one database: the item form remembers the version it opened,
and a save over a change made meanwhile shows that change field by field and lets the
person keep theirs, take the other, or merge (never a silent overwrite); cards moved
and reordered in one column by two connections at once keep distinct ranks."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from textual.widgets import Input, Static

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.screens.item_form import ConflictScreen, ItemForm
from tpm_tui.services import backlog

pytestmark = pytest.mark.both_engines

# What each answer leaves: the form typed " as PDF" into the title, a colleague saved
# another title and 8 points meanwhile (the form still says 5).
OUTCOMES = {
    "k": ("Export invoices as PDF", 5),  # mine: the form as it stands
    "t": ("Export all invoices", 8),  # theirs: nothing of mine saved
    "m": ("Export invoices as PDF", 8),  # merge: my changed title, their points
}


@pytest.mark.parametrize("key", sorted(OUTCOMES))
async def test_a_save_over_a_change_made_meanwhile_asks_field_by_field(
    seeded: Seeded,
    make_app: Callable[..., TpmApp],
    clock: Clock,
    workspace_location: Location,
    key: str,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        await pilot.press("end", *" as PDF")
        other = open_database(workspace_location)  # a colleague, meanwhile
        try:
            backlog.edit_item(other, clock, seeded.story, title="Export all invoices", points=8)
        finally:
            other.close()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        rows = {
            row.id: [str(cell.render()) for cell in row.query(Static)]
            for row in app.screen.query(".conflict-row")
            if row.id
        }
        # the field, as opened, theirs, yours
        assert rows == {
            "conflict-title": [
                "title",
                "Export invoices",
                "Export all invoices",
                "Export invoices as PDF",
            ],
            "conflict-points": ["points", "5", "8", "5"],
        }
        # Nothing was written by the refused save.
        assert backlog.get_item(seeded.db, seeded.story).title == "Export all invoices"
        await pilot.press(key)
        await wait_until(pilot, lambda: app.screen is board)
        item = backlog.get_item(seeded.db, seeded.story)
        assert (item.title, item.points) == OUTCOMES[key]
        await wait_until(pilot, lambda: board.data is not None and not board.stale)
        await wait_until(pilot, lambda: board._focused_item() is not None)
        shown = board._focused_item()
        assert shown is not None and shown.title == OUTCOMES[key][0]
        if key != "t":  # an undo puts back what was there before this save: theirs
            await pilot.press("u")
            await wait_until(
                pilot,
                lambda: backlog.get_item(seeded.db, seeded.story).title == "Export all invoices",
            )
            assert backlog.get_item(seeded.db, seeded.story).points == 8


async def test_esc_goes_back_to_the_form_with_its_text_and_saves_nothing(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        form = app.screen
        await pilot.press("end", *" as PDF")
        other = open_database(workspace_location)
        try:
            backlog.edit_item(other, clock, seeded.story, owner="bo")
        finally:
            other.close()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is form)
        assert form.query_one("#field-title", Input).value == "Export invoices as PDF"
        item = backlog.get_item(seeded.db, seeded.story)
        assert (item.title, item.owner) == ("Export invoices", "bo")


def test_an_edit_at_an_old_version_is_refused_with_the_item_as_it_is(
    seeded: Seeded, clock: Clock
) -> None:
    _item, version = backlog.item_version(seeded.db, seeded.story)
    backlog.edit_item(seeded.db, clock, seeded.story, expected_version=version, points=3)
    with pytest.raises(backlog.EditConflict) as refused:
        backlog.edit_item(seeded.db, clock, seeded.story, expected_version=version, title="x")
    assert refused.value.current.points == 3 and refused.value.version == version + 1
    assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices"


def _at_once(*jobs: Callable[[], None]) -> None:
    """Run the jobs in threads released together; re-raise the first failure."""
    gate = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        gate.wait()
        try:
            job()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if failures:
        raise failures[0]


def _ranks(db: Database, status: str) -> list[int]:
    return [i.rank for i in backlog.list_items(db) if i.status == status]


def test_two_people_moving_and_reordering_in_one_column_keep_distinct_ranks(
    db: Database, clock: Clock, workspace_location: Location
) -> None:
    ids = [backlog.create_item(db, clock, "story", f"card {n}").id for n in range(24)]
    other = open_database(workspace_location)
    try:

        def moves(database: Database, mine: list[int]) -> Callable[[], None]:
            def run() -> None:
                for item in mine:
                    backlog.move_item(database, clock, item, "todo")

            return run

        _at_once(moves(db, ids[::2]), moves(other, ids[1::2]))
        ranks = _ranks(db, "todo")
        assert len(ranks) == 24 and len(set(ranks)) == 24, sorted(ranks)

        def reorders(database: Database, item: int, delta: int) -> Callable[[], None]:
            def run() -> None:
                for _ in range(10):
                    backlog.reorder_item(database, clock, item, delta)

            return run

        _at_once(reorders(db, ids[0], 1), reorders(other, ids[5], -1))
        ranks = _ranks(db, "todo")
        assert len(ranks) == 24 and len(set(ranks)) == 24, sorted(ranks)
    finally:
        other.close()
