"""The quick-log grammar."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Category
from tpm_tui.services.quicklog import QuickLog, describe, parse_quick_log

TODAY = date(2026, 11, 26)


def test_full_line() -> None:
    entry = parse_quick_log("45m m sprint planning #12 @yesterday", TODAY)
    assert entry == QuickLog(45, Category.MEETINGS, "sprint planning", 12, date(2026, 11, 25))
    assert describe(entry, TODAY, "Export invoices") == (
        "45m · meetings · sprint planning · #12 Export invoices · Wed 25 Nov"
    )


def test_item_and_date_anywhere_after_the_category() -> None:
    entry = parse_quick_log("1h30m tooling #7 backlog @mon grooming", TODAY)
    expected = (90, "backlog grooming", 7, date(2026, 11, 23))
    assert (entry.minutes, entry.note, entry.item_id, entry.day) == expected
    assert describe(parse_quick_log("30 d", TODAY), TODAY) == "30m · deliverables"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "type DURATION CATEGORY"),
        ("45m", "add a category"),
        ("45x m", "is not a duration"),
        ("0m m", "the duration is zero"),
        ("45m q", "unknown category 'q'"),
        ("45m m #1 #2", "one #item per entry"),
        ("45m m @mon @tue", "one @date per entry"),
        ("45m m @soon", "'soon' is not a date"),
        ("45m m @2026-12-01", "is in the future"),
    ],
)
def test_refusals_say_what_to_type(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_quick_log(text, TODAY)
    assert message in str(error.value)


@given(st.text(max_size=60))
def test_any_line_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        entry = parse_quick_log(text, TODAY)
    except InvalidInput:
        return
    assert entry.minutes > 0 and entry.category in Category
