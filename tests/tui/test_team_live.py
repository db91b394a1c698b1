"""Team mode in the TUI: a colleague's change shows on the open board (PostgreSQL's
LISTEN/NOTIFY; SQLite keeps its data_version poll), and the header names the team
database and the person."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services import backlog
from tpm_tui.workspace import server_place

pytestmark = pytest.mark.both_engines


async def test_a_change_from_another_connection_shows_within_two_seconds_cursor_kept(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock, workspace_location: Location
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await pilot.press("j")  # the cursor on the second backlog card (the debt)
        assert board.focused_id() == seeded.debt
        other = open_database(workspace_location)  # a colleague's own connection
        try:
            backlog.move_item(other, clock, seeded.story, "review")
            changed_at = time.monotonic()
            await wait_until(pilot, lambda: seeded.story in board.columns["review"].ids, tries=150)
            assert time.monotonic() - changed_at < 2.0
        finally:
            other.close()
        assert board.focused_id() == seeded.debt
        assert seeded.story not in board.columns["todo"].ids


async def test_the_header_names_the_team_database_and_the_person(
    seeded: Seeded,
    make_app: Callable[..., TpmApp],
    engine: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TPM_USER", "ana")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        database = seeded.db.location.url.split("?")[0].rsplit("/", 1)[-1]
        expected = "~/work/tpm.db" if engine == "sqlite" else f"team · local/{database} · as ana"
        assert str(board.sub_title).startswith(expected), board.sub_title
        assert "password" not in app.workspace.name


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("url", "place"),
    [
        ("postgresql://ana@db.internal/product", "db.internal/product"),
        ("postgresql+psycopg://ana:s3cret@db.internal:5433/product", "db.internal:5433/product"),
        ("postgresql://ana:s3cret@db.internal:5432/product?sslmode=require", "db.internal/product"),
        ("postgresql+psycopg://tpm@/t1?host=/tmp/tpm-pg-x&port=54321", "local/t1"),
        ("postgresql://ana@/product", "local/product"),
        ("postgresql://ana@/product?host=db.internal", "db.internal/product"),
        ("postgresql://[::1]:5433/product", "::1:5433/product"),
    ],
)
def test_the_place_of_a_server_database(
    url: str, place: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("PGPORT", raising=False)
    assert server_place(url) == place
    assert "s3cret" not in server_place(url)


@pytest.mark.sqlite_only
def test_the_place_from_libpqs_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOST", "db.internal")
    monkeypatch.setenv("PGDATABASE", "product")
    monkeypatch.delenv("PGPORT", raising=False)
    assert server_place("postgresql://") == "db.internal/product"
