"""A server role granted SELECT only: the TUI opens on the team's board, says
"read-only", and a writing key (or a form's save) is refused in one line, no crash."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.conftest import Seeded
from tests.postgres import Server
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog
from tpm_tui.workspace import Workspace


@pytest.fixture
def engine() -> str:
    """Roles are a server's."""
    return "postgresql"


def reader_location(server: Server, location: Location) -> Location:
    """The same database, as a role that may only read it."""
    database = location.url.split("?")[0].rsplit("/", 1)[-1]
    role = f"reader_{database}"
    server.psql(f"CREATE ROLE {role} LOGIN", database)
    server.psql(
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; "
        f"GRANT USAGE ON SCHEMA public TO {role}",
        database,
    )
    return Location(server.url(database, user=role), None, "test")


async def test_a_read_only_role_opens_and_its_writing_keys_say_read_only(
    seeded: Seeded, clock: Clock, pg_server: Server, workspace_location: Location
) -> None:
    app = TpmApp(Workspace(reader_location(pg_server, workspace_location), clock))
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert seeded.story in board.columns["backlog"].ids
        await wait_until(pilot, lambda: bool(board.query("#read-only-badge")))
        assert str(board.query_one("#read-only-badge", Static).render()) == "read-only"
        await pilot.press("L")
        await wait_until(pilot, lambda: bool(app._notifications))
        (note,) = [str(n.message) for n in app._notifications]
        assert note.startswith("read-only") and "\n" not in note
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        form = app.screen
        await pilot.press("end", "!", "ctrl+s")
        error = form.query_one("#error-form", Static)
        await wait_until(pilot, lambda: bool(error.display))
        said = str(error.render())
        assert said.startswith("read-only") and "\n" not in said, said
        assert form.query_one("#field-title", Input).value == "Export invoices!"
        assert app.is_running
    assert backlog.get_item(seeded.db, seeded.story).status == "backlog"
    assert backlog.get_item(seeded.db, seeded.story).title == "Export invoices"
