"""`#digits` in a quick-log or timer line is always an item reference: an id too long
to be an item is refused in one short line, never kept as note text; and the timer
line's preview refuses what starting refuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import NOW, location_for
from tpm_tui.clock import Clock
from tpm_tui.errors import InvalidInput
from tpm_tui.services.quicklog import parse_quick_log, parse_timer_line
from tpm_tui.timekeeper import TimeKeeper
from tpm_tui.workspace import Workspace

TODAY = date(2026, 11, 26)
LONG = ["1" * 20, "1" * 30, "9223372036854775808", "1" * 4301]


@pytest.mark.parametrize("digits", LONG, ids=lambda digits: f"{len(digits)} digits")
def test_an_id_too_long_for_an_item_is_refused_in_one_short_line(digits: str) -> None:
    for parse in (
        lambda: parse_quick_log(f"30m m #{digits}", TODAY),
        lambda: parse_timer_line(f"m standup #{digits}"),
    ):
        with pytest.raises(InvalidInput) as refused:
            parse()
        message = str(refused.value)
        assert "too long to be an item" in message
        assert "\n" not in message and len(message) < 100


@pytest.mark.parametrize("digits", ["1234567890", "9223372036854775807"])
def test_a_long_id_that_could_be_an_item_is_an_item_reference(digits: str) -> None:
    assert parse_quick_log(f"30m m sync #{digits}", TODAY).item_id == int(digits)
    assert parse_timer_line(f"m sync #{digits}") == (
        parse_timer_line("m sync")[0],
        "sync",
        int(digits),
    )


@pytest.mark.parametrize(
    "line",
    ["m " + "n" * 501, "m standup #999", "m #99999999999"],
    ids=["a 501-character note", "no such item", "an 11-digit id"],
)
def test_the_timer_line_previews_what_starting_refuses(tmp_path: Path, line: str) -> None:
    """`s`: the preview runs the start's own checks (note length, item), in its words."""
    workspace = Workspace(location_for(tmp_path / "tpm.db"), Clock(NOW))
    keeper = TimeKeeper(workspace)
    try:
        with pytest.raises(InvalidInput) as previewed:
            keeper.start_check(line)
        with pytest.raises(InvalidInput) as saved:
            keeper.start_save(line)
        assert str(previewed.value) == str(saved.value)
        assert keeper.running() is None
    finally:
        workspace.close()
