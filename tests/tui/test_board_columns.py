"""Column names, WIP limits and the columns themselves are settings: a change made in
another program (`tpm column …`, `tpm config wip.…`) shows on the open board at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Seeded, location_for
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import open_database
from tpm_tui.services import columns
from tpm_tui.widgets.kanban_column import ColumnHeader


async def test_renamed_limited_added_and_removed_columns_show_at_once(
    seeded: Seeded, db_path: Path, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)

        def headers() -> list[tuple[str, int | None]]:
            return [(h.name_text, h.limit) for h in board.query(ColumnHeader)]

        assert ("Review", 3) in headers()
        other = open_database(location_for(db_path))
        columns.rename(other, "review", "Code review")
        columns.set_wip(other, "review", 1)
        columns.add(other, "QA", after="review", wip_limit=2)
        columns.remove(other, "todo")
        other.close()
        await wait_until(pilot, lambda: ("Code review", 1) in headers(), tries=150)
        assert [name for name, _limit in headers()] == [
            "Backlog",
            "In Progress",
            "Code review",
            "QA",
            "Done",
        ]
        header = next(h for h in board.query(ColumnHeader) if h.name_text == "Code review")
        assert header.over == (header.count > 1)
        assert "Code review" in str(header.render())
