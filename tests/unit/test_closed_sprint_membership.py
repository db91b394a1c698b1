"""A closed sprint stands as it was closed: no item joins or leaves it, whichever
way the sprint is written (edit, sprint add/remove, the form), in one line; its items
can still be edited otherwise and moved on the board."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from tests.cli_runner import cli_env
from tests.conftest import NOW, Seeded
from tpm_tui.cli import cli
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.errors import InvalidInput
from tpm_tui.services import backlog, planning, sprints

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.both_engines,
]

CLOSED = "Sprint 24 is closed: plan the next one"


def close_sprint_24(seeded: Seeded, clock: Clock) -> int:
    """Sprint 24 closed with the done bug in it, the story carried to Sprint 25
    (returned)."""
    db = seeded.db
    sprints.add_items(db, clock, seeded.sprint, [seeded.bug])
    following = planning.create_sprint(db, "Sprint 25", date(2026, 12, 7), date(2026, 12, 20))
    review = sprints.close_sprint(db, clock, seeded.sprint, following.id)
    assert [item.id for item, _where in review.carried] == [seeded.story]  # carry-over works
    assert backlog.get_item(db, seeded.story).sprint_id == following.id
    return following.id


def test_no_item_joins_or_leaves_a_closed_sprint(seeded: Seeded, clock: Clock) -> None:
    db = seeded.db
    following = close_sprint_24(seeded, clock)
    with pytest.raises(InvalidInput, match=CLOSED):  # joining by an edit
        backlog.edit_item(db, clock, seeded.debt, sprint_id=seeded.sprint)
    with pytest.raises(InvalidInput, match=CLOSED):  # leaving by an edit
        backlog.edit_item(db, clock, seeded.bug, sprint_id=None)
    with pytest.raises(InvalidInput, match=CLOSED):  # leaving for an open sprint
        sprints.add_items(db, clock, following, [seeded.bug])
    with pytest.raises(InvalidInput, match=CLOSED):
        sprints.remove_items(db, clock, seeded.sprint, [seeded.bug])
    with pytest.raises(InvalidInput, match=CLOSED):
        sprints.add_items(db, clock, seeded.sprint, [seeded.debt])
    with pytest.raises(InvalidInput, match=CLOSED):
        backlog.create_item(db, clock, "story", "Late", sprint_id=seeded.sprint)
    assert backlog.get_item(db, seeded.bug).sprint_id == seeded.sprint
    assert backlog.get_item(db, seeded.debt).sprint_id is None
    # otherwise an item of a closed sprint is edited and moved as any other
    edited = backlog.edit_item(db, clock, seeded.bug, title="PDF totals wrap (fixed)")
    assert edited.sprint_id == seeded.sprint
    same = backlog.edit_item(db, clock, seeded.bug, sprint_id=seeded.sprint)  # unchanged
    assert same.sprint_id == seeded.sprint
    moved = backlog.move_item(db, clock, seeded.bug, "review")
    assert moved.status == "review" and moved.sprint_id == seeded.sprint
    # an open sprint's items come and go as before
    assert sprints.remove_items(db, clock, following, [seeded.story])[0].sprint_id is None


def test_the_commands_refuse_a_closed_sprint_in_one_line(
    seeded: Seeded, clock: Clock, workspace_location: Location
) -> None:
    close_sprint_24(seeded, clock)
    env = {**cli_env(workspace_location), "TPM_NOW": NOW.isoformat()}
    runner = CliRunner()
    for args in (
        ["edit", str(seeded.debt), "--sprint", "Sprint 24"],
        ["sprint", "remove", "Sprint 24", str(seeded.bug)],
        ["sprint", "add", "Sprint 24", str(seeded.debt)],
    ):
        result = runner.invoke(cli, args, env=env, catch_exceptions=False)
        assert (result.exit_code, result.stderr) == (2, f"tpm: {CLOSED}\n"), args
    assert backlog.get_item(seeded.db, seeded.debt).sprint_id is None
    assert backlog.get_item(seeded.db, seeded.bug).sprint_id == seeded.sprint
