"""Values the standard-library read path converts, beyond what both executors are
compared on: a stored datetime that carries an offset, and a title's width in cells."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len

from tpm_tui.kinds import Kind
from tpm_tui.services.backlog import ItemView
from tpm_tui.sql.executor import SQLITE
from tpm_tui.widgets.card import title_cells


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("2026-11-26 09:30:00.250000", datetime(2026, 11, 26, 9, 30, 0, 250000, tzinfo=UTC)),
        ("2026-11-26 09:30:00", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        # Written by another program with its offset: read as before (the clock time, UTC).
        ("2026-11-26 09:30:00+02:00", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
    ],
)
def test_stored_datetimes_read_as_aware_utc(stored: str, read: datetime) -> None:
    value = SQLITE.result["datetime"](stored)
    assert value == read
    assert value.tzinfo is UTC
    assert value.replace(tzinfo=None) == read.replace(tzinfo=None)


@pytest.mark.parametrize(
    "title",
    ["Plain title", "Café au lait", "表計算の列幅", "tab\there", "emoji 🚀 launch", ""],
)
def test_a_title_is_as_wide_as_rich_measures_it(title: str) -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    item = ItemView(
        12, Kind.STORY, title, "todo", 1, None, None, None, None, "", None, None, "", "",
        None, None, None, now, now, None, None,
    )  # fmt: skip
    assert title_cells(item) == cell_len(f"#12 {title}")
