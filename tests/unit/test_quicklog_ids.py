"""`#digits` in a quick-log or timer line is always an item reference: an id too long
to be an item is refused in one short line, never kept as note text."""

from __future__ import annotations

from datetime import date

import pytest

from tpm_tui.errors import InvalidInput
from tpm_tui.services.quicklog import parse_quick_log, parse_timer_line

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
